import type { BrowserAccount } from '../../transports/browser/browser-account.ts';
import type { Page } from '../../transports/browser/browser-library.ts';
import { NeedsLoginError } from '../../site-contract/site-errors.ts';
import { findTchannel, type PoePageSecretsProvider } from './poe-page-secrets.ts';

export interface InPageSecretsOptions {
  /** A configured formkey wins over the one read from the page. */
  formkey?: string;
  revision?: string;
  /** How long to wait for the page's own GraphQL traffic to show the formkey. */
  timeoutMs?: number;
}

/**
 * Page secrets read inside the account's logged-in browser page, for `transport: browser`. The
 * formkey is whatever the page's own obfuscated script computed: it is read off the `Poe-Formkey`
 * header of the page's own `gql_POST` calls (the manual DevTools recipe, automated), so no site
 * JavaScript is ever evaluated by the gateway. Channel and build id come from `__NEXT_DATA__`.
 */
export function readPoeSecretsInPage(
  account: Pick<BrowserAccount, 'acquirePage'>,
  options: InPageSecretsOptions = {},
): PoePageSecretsProvider {
  return async (signal) => {
    const lease = await account.acquirePage();
    try {
      const page = lease.page;
      const formkey = options.formkey
        ? Promise.resolve(options.formkey)
        : captureFormkey(page, options.timeoutMs ?? 20_000, signal);
      // A reload makes the page fetch its data again (GraphQL calls carrying the formkey) and
      // renders a fresh `__NEXT_DATA__` with the current channel.
      await page.reload({ waitUntil: 'domcontentloaded' });
      const nextData = await page.evaluate(
        () => document.getElementById('__NEXT_DATA__')?.textContent ?? null,
      );
      let parsed: unknown;
      try {
        parsed = nextData ? JSON.parse(nextData) : undefined;
      } catch {
        parsed = undefined;
      }
      const tchannel = findTchannel(parsed);
      if (!tchannel)
        throw new NeedsLoginError('the Poe page has no update channel: log the account in (remote login)');
      const buildId = (parsed as { buildId?: unknown } | undefined)?.buildId;
      const revision = options.revision ?? (typeof buildId === 'string' ? buildId : undefined);
      return { formkey: await formkey, tchannel, ...(revision ? { revision } : {}) };
    } finally {
      lease.release();
    }
  };
}

function captureFormkey(page: Page, timeoutMs: number, signal: AbortSignal): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const onRequest = (request: { headers(): Record<string, string> }) => {
      const formkey = request.headers()['poe-formkey'];
      if (formkey) finish(() => resolve(formkey));
    };
    const timer = setTimeout(
      () =>
        finish(() =>
          reject(
            new NeedsLoginError(
              'the Poe page made no GraphQL call to read the formkey from; set formkey in the config',
            ),
          ),
        ),
      timeoutMs,
    );
    const onAbort = () => finish(() => reject(signal.reason));
    const finish = (settle: () => void) => {
      clearTimeout(timer);
      page.off('request', onRequest);
      signal.removeEventListener('abort', onAbort);
      settle();
    };
    page.on('request', onRequest);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
