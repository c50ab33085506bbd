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
    {
      level,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      base: { service: 'webchat-gateway' },
      serializers: { req: serializeRequest },
    },
    destination as pino.DestinationStream | undefined,
  );
}

export type { Logger };

/** Request log lines: method and URL, with `?key=` (the remote-login viewer's admin key) blanked. */
function serializeRequest(req: { method?: string; url?: string; id?: unknown }): Record<string, unknown> {
  return {
    id: req.id,
    method: req.method,
    url: req.url?.replace(/([?&](?:key|ticket)=)[^&]*/gi, '$1[redacted]'),
  };
}
