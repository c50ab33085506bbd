import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { BASE_CHROMIUM_ARGS } from '../../src/transports/browser/chromium-args.ts';
import { eventually, type Stack, startStack } from '../support/start-stack.ts';

const CHROME_PATH = process.env.CHROME_PATH ?? '/usr/bin/chromium';
const ADMIN_TOKEN = 'admin-token-for-dashboard-tests-0123456789';
const XSS_NAME = '<img src=x onerror=alert(1)>';
/** Git-ignored (`test-results/`): the screenshots of every page, for a person to look at. */
const SHOTS = join(import.meta.dirname, '..', '..', 'test-results', 'dashboard');
const WIDTHS = { desktop: 1280, phone: 375 } as const;

const ACCOUNTS = [
  { id: 'one' },
  { id: 'two', credentials: { username: 'demo-2', password: 'demo-2-password' } },
  { id: 'three', credentials: { username: 'demo-3', password: 'demo-3-password' } },
];

async function accountFaults(stack: Stack, username: string, faults: Record<string, unknown>) {
  const response = await fetch(`${stack.demo.url}/__control/accounts/${username}/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(faults),
  });
  assert.ok(response.ok, `faults for ${username}: ${response.status}`);
}

/** Saves the page at both widths (full length), then returns to the desktop width. */
async function screenshots(page: Page, name: string): Promise<void> {
  for (const [label, width] of Object.entries(WIDTHS)) {
    await page.setViewportSize({ width, height: 900 });
    // Charts re-measure on resize (debounced).
    await page.waitForTimeout(250);
    await page.screenshot({ path: join(SHOTS, `${name}-${label}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: WIDTHS.desktop, height: 900 });
}

describe('admin dashboard in real Chromium', { timeout: 120_000 }, () => {
  let stack: Stack;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];
  const dialogs: string[] = [];

  before(async () => {
    assert.ok(existsSync(CHROME_PATH), `Chromium not found at ${CHROME_PATH}; install it or set CHROME_PATH`);
    await mkdir(SHOTS, { recursive: true });
    [stack, browser] = await Promise.all([
      startStack({
        // slow-1 streams for seconds: long enough to see it in flight and cancel it.
        demo: { slowWordDelayMs: 100 },
        config: { adminToken: ADMIN_TOKEN },
        site: {
          transport: 'browser',
          browserMode: 'in-page-fetch',
          accounts: ACCOUNTS,
          pool: { maxWaitMs: 0 },
        },
      }),
      chromium.launch({
        executablePath: CHROME_PATH,
        headless: true,
        args: BASE_CHROMIUM_ARGS,
      }),
    ]);
    context = await browser.newContext({ viewport: { width: WIDTHS.desktop, height: 900 } });
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('dialog', (dialog) => {
      dialogs.push(`${dialog.type()}: ${dialog.message()}`);
      // hx-confirm asks before deleting or revoking; an alert would be the XSS firing.
      void (dialog.type() === 'confirm' ? dialog.accept() : dialog.dismiss());
    });
  });
  after(async () => {
    await browser?.close();
    await stack?.close();
  });

  const go = async (path: string) => {
    await page.goto(`${stack.url}${path}`);
    await page.locator('body').waitFor();
  };

  test('sign in: a wrong token (a user key too) is refused with a message, the admin token opens it', async () => {
    await go('/admin');
    assert.equal(new URL(page.url()).pathname, '/admin/sign-in', 'signed out → the sign-in page');
    await screenshots(page, 'sign-in');
    await page.fill('#token', stack.key);
    await page.click('button[type="submit"]');
    await page.getByTestId('sign-in-error').waitFor();
    assert.match((await page.getByTestId('sign-in-error').textContent()) ?? '', /not the admin token/);
    await screenshots(page, 'sign-in-error');
    await page.fill('#token', ADMIN_TOKEN);
    await page.click('button[type="submit"]');
    await page.waitForURL(`${stack.url}/admin`);
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    const cookie = (await context.cookies()).find((c) => c.name === 'wcg_admin');
    assert.ok(cookie, 'session cookie set');
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.sameSite, 'Strict');
    assert.equal(cookie.path, '/admin');
  });

  test('a POST without the CSRF token is refused (403), with the session cookie', async () => {
    const status = await page.evaluate(async () => {
      const response = await fetch('/admin/users', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'csrf-less' }),
      });
      return response.status;
    });
    assert.equal(status, 403);
    const forged = await page.evaluate(async () => {
      const response = await fetch('/admin/users', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': 'forged' },
        body: JSON.stringify({ name: 'csrf-forged' }),
      });
      return response.status;
    });
    assert.equal(forged, 403);
  });

  let userUrl = '';
  let secret = '';

  test('create a user (and one with an XSS name, rendered as text) and a key, shown once', async () => {
    await go('/admin/users');
    for (const name of [XSS_NAME, 'dana']) {
      await page.fill('#new-name', name);
      if (name === 'dana') await page.fill('#new-quota', '1000000');
      await page.click('[data-testid="create-user"] button[type="submit"]');
      await page.locator('#users-list [role="status"]', { hasText: 'created' }).waitFor();
    }
    const links = page.getByTestId('user-link');
    assert.deepEqual(await links.allTextContents(), [XSS_NAME, 'dana']);
    assert.equal(await page.locator('img[src="x"]').count(), 0, 'no element was injected');
    assert.equal(await page.locator('#users-list input[name="name"]').count(), 0);

    await page.getByTestId('user-link').filter({ hasText: 'dana' }).click();
    await page.getByTestId('user-name').filter({ hasText: 'dana' }).waitFor();
    userUrl = new URL(page.url()).pathname;
    await page.fill('#key-name', 'laptop');
    await page.click('[data-testid="create-key"] button[type="submit"]');
    secret = (await page.getByTestId('new-key-secret').textContent()) ?? '';
    assert.match(secret, /^wcg-/);
    await screenshots(page, 'new-key');
    await page.reload();
    assert.equal(await page.getByTestId('new-key-secret').count(), 0, 'the secret is not shown again');
    assert.ok(!(await page.content()).includes(secret), 'nowhere in the page');
    assert.equal(await page.getByTestId('key-row').count(), 1);
  });

  test('the key works with the openai SDK; the request shows in Requests and in the user’s usage', async () => {
    const openai = new OpenAI({ baseURL: stack.openaiBaseUrl, apiKey: secret, maxRetries: 0 });
    const reply = await openai.chat.completions.create({
      model: 'demo/fast-1',
      messages: [{ role: 'user', content: 'hello from the dashboard test' }],
    });
    assert.ok(reply.choices[0]?.message.content);

    await go('/admin/requests');
    const row = page.getByTestId('ledger-row').filter({ hasText: 'dana' });
    await row.first().waitFor();
    assert.match((await row.first().textContent()) ?? '', /fast-1/);
    // The filter narrows to the user's key prefix.
    await page.fill('#f-key', secret.slice(0, 10));
    await page.click('[data-testid="ledger-filter"] button[type="submit"]');
    await eventually(async () => ((await page.getByTestId('ledger-row').count()) === 1 ? true : undefined));

    await go(userUrl);
    assert.equal(await page.locator('[data-testid="usage-by-model"] tbody tr').count(), 1);
    assert.match((await page.getByTestId('usage-by-model').textContent()) ?? '', /fast-1/);
    await page.locator('#usage .chart canvas').first().waitFor();
  });

  test('pausing the user makes the next SDK call fail; resuming lets it through; revoking ends the key', async () => {
    const openai = new OpenAI({ baseURL: stack.openaiBaseUrl, apiKey: secret, maxRetries: 0 });
    const ask = () =>
      openai.chat.completions.create({
        model: 'demo/fast-1',
        messages: [{ role: 'user', content: 'again' }],
      });
    await go(userUrl);
    await page.getByTestId('pause').click();
    await page.getByTestId('user-status').filter({ hasText: 'paused' }).waitFor();
    await assert.rejects(ask(), (error: unknown) => error instanceof OpenAI.APIError && error.status !== 200);
    await page.getByTestId('resume').click();
    await page.getByTestId('user-status').filter({ hasText: 'active' }).waitFor();
    await ask();
    await page.getByTestId('revoke').click();
    await page.getByTestId('key-status').filter({ hasText: 'revoked' }).waitFor();
    await assert.rejects(ask(), (error: unknown) => error instanceof OpenAI.AuthenticationError);
    await screenshots(page, 'user');
  });

  test('a request in flight is listed live (every 2 s) and the cancel button stops its stream', async () => {
    await go('/admin/requests');
    await page.getByTestId('live-empty').waitFor();
    const openai = new OpenAI({ baseURL: stack.openaiBaseUrl, apiKey: stack.key, maxRetries: 0 });
    const stream = await openai.chat.completions.create({
      model: 'demo/slow-1',
      stream: true,
      messages: [{ role: 'user', content: 'tell me something long' }],
    });
    let text = '';
    // Settled at once into a value, so the stream's end is never an unhandled rejection.
    const ended = (async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    })().then(
      () => undefined,
      (error: Error) => error,
    );
    const row = page.getByTestId('live-row').filter({ hasText: 'slow-1' });
    await row.waitFor({ timeout: 5000 });
    assert.match((await row.textContent()) ?? '', /alice/);
    await screenshots(page, 'requests-live');
    await row.getByTestId('cancel').click();
    await page.locator('#live [role="status"]', { hasText: 'Cancelled' }).waitFor();
    assert.match(
      (await ended)?.message ?? 'the stream ended without an error',
      /cancelled by the gateway admin/,
    );
    assert.ok(text.length > 0, 'some text had arrived');
    await page.getByTestId('live-empty').waitFor({ timeout: 5000 });
  });

  test('a rate-limited account shows its cooldown for that model on Accounts', async () => {
    await accountFaults(stack, 'demo-3', { rateLimited: { models: ['text-1'], retryAfterSeconds: 120 } });
    try {
      const openai = new OpenAI({ baseURL: stack.openaiBaseUrl, apiKey: stack.key, maxRetries: 0 });
      // Round-robin over three accounts: within three turns one lands on (three, text-1) and fails over.
      for (let i = 0; i < 3; i++) {
        await openai.chat.completions.create({
          model: 'demo/text-1',
          messages: [{ role: 'user', content: `t${i}` }],
        });
      }
      await go('/admin/accounts');
      const cooldowns = page.locator(
        '[data-testid="account-row"][data-account="three"] td[data-label="Cooldowns"]',
      );
      assert.match((await cooldowns.textContent()) ?? '', /text-1\s+cooling until \d{4}-\d\d-\d\d/);
    } finally {
      await accountFaults(stack, 'demo-3', {});
    }
  });

  test('a forced logout with a captcha shows "needs login"; the log-in button opens the viewer', async () => {
    await accountFaults(stack, 'demo-2', { captcha: true, forceLogout: true });
    try {
      await go('/admin/accounts');
      const row = page.locator('[data-testid="account-row"][data-account="two"]');
      await row.getByTestId('check').click();
      await eventually(async () => {
        const state = await page
          .locator('[data-testid="account-row"][data-account="two"] [data-testid="account-state"]')
          .textContent();
        return state === 'needs login' ? true : undefined;
      }, 20_000);
      await screenshots(page, 'accounts');
      await page.locator('[data-testid="account-row"][data-account="two"] [data-testid="log-in"]').click();
      await page.waitForURL(/\/admin\/accounts\/two\/log-in$/);
      // The viewer runs inside the dashboard, framed from the same origin.
      const frame = page.frameLocator('[data-testid="viewer-frame"]');
      await frame.getByTestId('viewer-screen').waitFor();
      assert.match(
        (await page.locator('[data-testid="viewer-frame"]').getAttribute('src')) ?? '',
        /^\/admin\/remote-login\/demo\.two$/,
      );
      await screenshots(page, 'account-log-in');
    } finally {
      await accountFaults(stack, 'demo-2', {});
    }
  });

  test('every page renders at desktop and phone widths without script errors', async () => {
    // The Overview's charts are drawn from the usage series (canvas elements by uPlot).
    await go('/admin');
    assert.equal(await page.locator('#charts .chart canvas').count(), 3);
    for (const [name, path] of [
      ['overview', '/admin'],
      ['overview-day', '/admin?range=day'],
      ['users', '/admin/users'],
      ['requests', '/admin/requests'],
      ['audit', '/admin/audit'],
    ] as const) {
      await go(path);
      await screenshots(page, name);
    }
    // Dark follows the system.
    await page.emulateMedia({ colorScheme: 'dark' });
    for (const [name, path] of [
      ['overview-dark', '/admin'],
      ['accounts-dark', '/admin/accounts'],
    ] as const) {
      await go(path);
      await screenshots(page, name);
    }
    await page.emulateMedia({ colorScheme: 'light' });
    // The audit log names the changes made through the dashboard, the XSS name as text.
    await go('/admin/audit');
    const audit = (await page.locator('main').textContent()) ?? '';
    for (const action of ['user.create', 'key.create', 'user.update', 'key.revoke']) {
      assert.ok(audit.includes(action), action);
    }
    assert.match(audit, /api_key laptop wcg-\S+ of dana/, 'objects are named');
    assert.ok(audit.includes(XSS_NAME), 'the XSS name shows as text');
    assert.equal(await page.locator('img[src="x"]').count(), 0);
    assert.deepEqual(pageErrors, []);
    assert.deepEqual(
      dialogs.filter((dialog) => !dialog.startsWith('confirm')),
      [],
      'no alert ever fired',
    );
  });

  test('signing out ends the session', async () => {
    await go('/admin');
    await page.getByTestId('sign-out').click();
    await page.waitForURL(`${stack.url}/admin/sign-in`);
    await go('/admin/users');
    assert.equal(new URL(page.url()).pathname, '/admin/sign-in');
  });
});
