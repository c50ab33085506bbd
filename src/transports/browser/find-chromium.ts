import { accessSync, constants } from 'node:fs';

/** Where distributions and vendors install Chromium-based browsers, in order of preference. */
export const CHROMIUM_CANDIDATES = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/snap/bin/chromium',
];

export class ChromiumNotFoundError extends Error {
  constructor(detail: string) {
    super(
      `${detail} Install it (Debian/Ubuntu: \`apt-get install chromium\`) or point CHROME_PATH or the ` +
        'browser.executablePath setting at a Chromium or Chrome binary.',
    );
    this.name = 'ChromiumNotFoundError';
  }
}

export interface FindChromiumOptions {
  /** Explicit path from config; when set it must exist (no silent fallback to another browser). */
  configured?: string;
  env?: NodeJS.ProcessEnv;
  candidates?: string[];
  isExecutable?: (path: string) => boolean;
}

export function findChromium(options: FindChromiumOptions = {}): string {
  const isExecutable = options.isExecutable ?? isExecutableFile;
  const explicit = options.configured ?? (options.env ?? process.env).CHROME_PATH;
  if (explicit) {
    if (isExecutable(explicit)) return explicit;
    throw new ChromiumNotFoundError(`No executable browser at ${explicit}.`);
  }
  const candidates = options.candidates ?? CHROMIUM_CANDIDATES;
  const found = candidates.find(isExecutable);
  if (found) return found;
  throw new ChromiumNotFoundError(`No Chromium found (looked in ${candidates.join(', ')}).`);
}

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
