/**
 * The one place the browser automation library is imported. patchright-core (a patched
 * playwright-core) is used because it leaks no CDP-level automation signals; playwright-core has the
 * same API, so swapping means changing the import below and nothing else.
 */
import { chromium } from 'patchright-core';

export type { Browser, BrowserContext, CDPSession, Page, Response } from 'patchright-core';

export const BROWSER_LIBRARY = 'patchright-core';

export interface LaunchChromiumOptions {
  executablePath: string;
  headless: boolean;
  args: string[];
  env?: Record<string, string>;
  timeoutMs: number;
}

export async function launchChromium(options: LaunchChromiumOptions) {
  return chromium.launch({
    executablePath: options.executablePath,
    headless: options.headless,
    args: options.args,
    // Playwright's defaults include flags that mark the browser as automated; ours are complete.
    ignoreDefaultArgs: ['--enable-automation'],
    env: options.env,
    timeout: options.timeoutMs,
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
}
