import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { chromium, type Page } from 'playwright-core';
import sharp from 'sharp';
import { sha256Hex } from './reply-script.ts';
import { startTestSite } from './testing/site-client.ts';

const CHROME_PATH = process.env.CHROME_PATH ?? '/usr/bin/chromium';
const digest = (text: string) => sha256Hex(text).slice(0, 12);

const assistant = (page: Page) => page.locator('[data-testid="message"][data-role="assistant"]');

async function send(page: Page, text: string): Promise<void> {
  await page.fill('[data-testid="composer-input"]', text);
  await page.click('[data-testid="send-button"]');
}

/** Waits for the n-th assistant reply (1-based) to reach `status` and returns its text as shown. */
async function reply(page: Page, n: number, status = 'complete'): Promise<string> {
  const message = assistant(page).nth(n - 1);
  await message.and(page.locator(`[data-status="${status}"]`)).waitFor({ timeout: 15_000 });
  return (await message.locator('[data-testid="message-text"]').textContent()) ?? '';
}

test('in a real browser: log in, pick a model, chat two turns, attach an image, watch a stream, stop it', {
  timeout: 120_000,
}, async () => {
  // No skipping: without Chromium this check cannot run, and that must be visible.
  assert.ok(existsSync(CHROME_PATH), `Chromium not found at ${CHROME_PATH}; install it or set CHROME_PATH`);
  const site = await startTestSite({ wordDelayMs: 3, slowWordDelayMs: 40 });
  const browser = await chromium.launch({
    executablePath: CHROME_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
    ],
  });
  try {
    const page = await browser.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));

    await page.goto(site.url);
    assert.equal(new URL(page.url()).pathname, '/login', 'logged-out visitors land on the login page');
    await page.fill('#username', 'demo');
    await page.fill('#password', 'wrong');
    await page.click('button[type="submit"]');
    await page.locator('[data-testid="login-error"]').waitFor();
    await page.fill('#password', 'demo-password');
    await page.click('button[type="submit"]');
    await page.waitForURL(`${site.url}/`);
    await page.locator('body[data-ready="true"]').waitFor();

    const models = await page
      .locator('[data-testid="model-picker"] option')
      .evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value));
    assert.deepEqual(models, ['text-1', 'vision-1', 'reasoning-1', 'tools-1', 'slow-1', 'fast-1']);
    await page.selectOption('[data-testid="model-picker"]', 'text-1');

    await send(page, 'say first');
    assert.equal(
      await reply(page, 1),
      `[text-1] turn=1 attachments=0 sha256=- chars=9 digest=${digest('say first')} system=-\n\nfirst`,
    );
    const threadId = new URL(page.url()).hash.slice(1);
    assert.match(threadId, /^thr_/);

    await send(page, 'say second');
    assert.equal(
      await reply(page, 2),
      `[text-1] turn=2 attachments=0 sha256=- chars=10 digest=${digest('say second')} system=-\n\nsecond`,
    );
    assert.equal(
      await page.locator('[data-testid="thread-item"]').count(),
      1,
      'both turns went to one thread',
    );

    await page.selectOption('[data-testid="model-picker"]', 'vision-1');
    const png = await sharp({ create: { width: 32, height: 24, channels: 3, background: '#6366f1' } })
      .png()
      .toBuffer();
    await page.setInputFiles('[data-testid="file-input"]', {
      name: 'square.png',
      mimeType: 'image/png',
      buffer: png,
    });
    await page.locator('[data-testid="attachment-chip"][data-status="ready"]').waitFor();
    await send(page, 'what is this?');
    assert.match(
      await reply(page, 3),
      new RegExp(`^\\[vision-1\\] turn=3 attachments=1 sha256=${sha256Hex(png)} chars=13 `),
    );

    await page.selectOption('[data-testid="model-picker"]', 'reasoning-1');
    await send(page, 'reply in json');
    assert.ok((await reply(page, 4)).endsWith('\n\n{"ok":true,"turn":4,"model":"reasoning-1"}'));
    assert.match(
      (await assistant(page).nth(3).locator('[data-testid="thinking"]').textContent()) ?? '',
      /Thinking about turn 4:/,
    );

    // A slow reply is read while it streams, then stopped with the stop button.
    await page.selectOption('[data-testid="model-picker"]', 'slow-1');
    await send(page, 'tell me a story');
    const streaming = assistant(page).nth(4);
    await page.locator('[data-testid="stop-button"]').waitFor({ state: 'visible' });
    await page.waitForFunction(
      () => {
        const messages = document.querySelectorAll('[data-testid="message"][data-role="assistant"]');
        const last = messages[messages.length - 1] as HTMLElement | undefined;
        return (
          last?.dataset.status === 'streaming' && ((last.textContent ?? '').match(/\S+/g)?.length ?? 0) > 10
        );
      },
      undefined,
      { timeout: 15_000 },
    );
    const partial = (await streaming.locator('[data-testid="message-text"]').textContent()) ?? '';
    assert.match(partial, /^\[slow-1\] turn=5 /);
    await page.click('[data-testid="stop-button"]');
    const stopped = await reply(page, 5, 'stopped');
    assert.ok(stopped.startsWith(partial.trim()), 'the stopped reply keeps what was streamed');
    await page.locator('[data-testid="stop-button"]').waitFor({ state: 'hidden' });
    assert.equal(site.stats().stops, 1);

    assert.deepEqual(
      site.threadLog(threadId)?.map((m) => m.text),
      ['say first', 'say second', 'what is this?', 'reply in json', 'tell me a story'],
    );

    // The WebSocket transport drives the same page.
    await page.goto(`${site.url}/?transport=ws`);
    await page.locator('body[data-ready="true"]').waitFor();
    assert.equal(await page.locator('[data-testid="transport"]').textContent(), 'WebSocket');
    await page.selectOption('[data-testid="model-picker"]', 'text-1');
    await send(page, 'count to 3');
    assert.match(await reply(page, 1), /^\[text-1\] turn=1 .*\n\n1 2 3$/);
    assert.equal(site.receivedMessages(1)[0]?.transport, 'ws');

    assert.deepEqual(pageErrors, []);
  } finally {
    await browser.close();
    await site.close();
  }
});
