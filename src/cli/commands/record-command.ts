import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { createLogger } from '../../core/logger.ts';
import type { Page } from '../../transports/browser/browser-library.ts';
import { BrowserManager } from '../../transports/browser/browser-manager.ts';
import { draftFromRecording, RECORD_PROMPT, recordSite } from '../../sites/recipe/recorder/record-site.ts';
import type { Recording } from '../../sites/recipe/recorder/recording.ts';
import type { CommandIo } from './check-command.ts';

export const RECORD_USAGE = `Usage: webchat-gateway record <url> --out site.yaml [options]

Opens the site in Chromium and records one chat while you use it, then drafts a recipe from it.
In the window: log in, choose a model, send exactly

    ${RECORD_PROMPT}

wait for the reply, then attach one image and send it (any text). Press Enter here when done.
Every guess in the draft is marked # REVIEW: — check them, then run: webchat-gateway check site.yaml

Options:
  -o, --out <file>              Where to write the drafted recipe (required)
      --save-recording <file>   Also save what was recorded (JSON; passwords are never kept)
      --from-recording <file>   Draft from a saved recording instead of opening a browser
      --headless                No window (for automation; a person needs a display)
  -h, --help                    Show this help`;

const STDIO: CommandIo = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
};

export function run(argv: string[]): Promise<number> {
  return runRecord(argv, STDIO, waitForEnterOrClose);
}

/** How the command waits for the person (tests pass an automated person). */
export type Person = (page: Page) => Promise<void>;

export async function runRecord(argv: string[], io: CommandIo, person: Person): Promise<number> {
  let values: ReturnType<typeof parseRecordArgs>['values'];
  let positionals: string[];
  try {
    ({ values, positionals } = parseRecordArgs(argv));
  } catch (error) {
    io.err(`${(error as Error).message}\n\n${RECORD_USAGE}`);
    return 2;
  }
  if (values.help) {
    io.out(RECORD_USAGE);
    return 0;
  }
  const url = positionals[0];
  const out = values.out;
  if (!out || (!url && !values['from-recording']) || positionals.length > 1) {
    io.err(RECORD_USAGE);
    return 2;
  }

  let recording: Recording;
  if (values['from-recording']) {
    recording = JSON.parse(await readFile(values['from-recording'], 'utf8')) as Recording;
  } else {
    if (!url || !/^https?:\/\//.test(url)) {
      io.err(`Give the site's address (http:// or https://), not '${url}'.`);
      return 2;
    }
    if (!values.headless && !process.env.DISPLAY) {
      io.err('No display to show the browser on (DISPLAY is not set). Run this where a window can open.');
      return 2;
    }
    const dataDir = await mkdtemp(join(tmpdir(), 'webchat-record-'));
    const browser = new BrowserManager({
      dataDir,
      mode: values.headless ? 'headless' : 'headful',
      ...(process.env.DISPLAY && !values.headless ? { display: process.env.DISPLAY } : {}),
      logger: createLogger(process.env.LOG_LEVEL ?? 'warn'),
    });
    try {
      io.err(RECORD_USAGE.split('\n').slice(2, 9).join('\n'));
      recording = (await recordSite({ url, browser, person })).recording;
    } finally {
      await browser.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  }
  if (values['save-recording'])
    await writeFile(values['save-recording'], `${JSON.stringify(recording, null, 2)}\n`);
  const draft = draftFromRecording(recording);
  await writeFile(out, draft.yaml);
  io.out(draft.findings.map((line) => `- ${line}`).join('\n'));
  io.out(`\nWrote ${out} with ${draft.reviews} REVIEW marks. Next: webchat-gateway check ${out}`);
  return 0;
}

function parseRecordArgs(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      out: { type: 'string', short: 'o' },
      'save-recording': { type: 'string' },
      'from-recording': { type: 'string' },
      headless: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

/** The person says they are done by pressing Enter (or closing the window). */
async function waitForEnterOrClose(page: Page): Promise<void> {
  const lines = createInterface({ input: process.stdin });
  try {
    await Promise.race([
      new Promise<void>((resolve) => lines.once('line', () => resolve())),
      page.waitForEvent('close', { timeout: 0 }).then(() => undefined),
    ]);
  } finally {
    lines.close();
  }
}
