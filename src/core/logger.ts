import { type Logger, pino } from 'pino';

/** Paths pino blanks out wherever they appear, so secrets never reach the log. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  'password',
  '*.password',
  'apiKey',
  '*.apiKey',
  'key',
  '*.key',
  'credentials',
  '*.credentials',
  'csrfToken',
  '*.csrfToken',
];

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    { level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' }, base: { service: 'webchat-gateway' } },
    destination as pino.DestinationStream | undefined,
  );
}

export type { Logger };
