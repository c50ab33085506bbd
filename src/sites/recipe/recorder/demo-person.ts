import type { Page } from '../../../transports/browser/browser-library.ts';
import { RECORD_PROMPT } from './record-site.ts';

/** A 16×16 red PNG, the image the person attaches. */
const RED_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAIAAACQkWg2AAAACXBIWXMAAAPoAAAD6AG1e1JrAAAAGUlEQVQokWO4IyJCEmIY1SAyGkp3hmvSAAACcQQQe09N1gAAAABJRU5ErkJggg==',
  'base64',
);

/**
 * The automated "person" of the recorder tests: uses the demo site's page the way a person would
 * (logs in, picks a model, sends the message, attaches an image and sends again), through the
 * page's visible controls only.
 */
export async function demoPerson(
  page: Page,
  credentials: { username: string; password: string },
): Promise<void> {
  await page.getByLabel('Username').fill(credentials.username);
  await page.getByLabel('Password').fill(credentials.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('textbox', { name: 'Message' }).waitFor();
  await page.getByRole('combobox', { name: 'Model' }).selectOption('vision-1');

  await page.getByRole('textbox', { name: 'Message' }).fill(RECORD_PROMPT);
  await page.getByRole('button', { name: 'Send' }).click();
  await waitForReply(page, 1);

  await page
    .locator('input[type=file]')
    .setInputFiles({ name: 'red.png', mimeType: 'image/png', buffer: RED_PNG });
  await page.locator('[data-testid=attachment-chip][data-status=ready]').waitFor();
  await page.getByRole('textbox', { name: 'Message' }).fill('What is in this image?');
  await page.getByRole('button', { name: 'Send' }).click();
  await waitForReply(page, 2);
}

async function waitForReply(page: Page, count: number): Promise<void> {
  await page
    .locator('[data-role=assistant][data-status=complete]')
    .nth(count - 1)
    .waitFor({ timeout: 15_000 });
}
