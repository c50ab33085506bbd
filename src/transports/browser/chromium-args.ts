/** Flags for a quiet, server-friendly Chromium that does not announce automation. */
export const BASE_CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  // Keeps navigator.webdriver false.
  '--disable-blink-features=AutomationControlled',
];

export type BrowserMode = 'headless' | 'headful';

export function chromiumArgs(extra: readonly string[] = []): string[] {
  return [...BASE_CHROMIUM_ARGS, ...extra];
}

/** A desktop Chrome user agent for the running version, without the "HeadlessChrome" giveaway. */
export function desktopUserAgent(browserVersion: string): string {
  const major = browserVersion.split('.')[0] ?? '0';
  return `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${major}.0.0.0 Safari/537.36`;
}
