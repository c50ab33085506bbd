import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parseDocument } from 'yaml';
import { type DemoSite, startDemoSite } from '../../../../demo-site/src/index.ts';
import { createLogger } from '../../../core/logger.ts';
import { BrowserManager } from '../../../transports/browser/browser-manager.ts';
import { HttpTransport } from '../../../transports/http/http-transport.ts';
import {
  DEMO_IMAGE_UPLOAD,
  DEMO_RATE_LIMIT_PER_MINUTE,
  demoTargetInputs,
} from '../../../site-contract/conformance/demo-site-cases.ts';
import { describeSiteConformance } from '../../../site-contract/conformance/site-conformance-suite.ts';
import { parseRecipe } from '../load-recipe.ts';
import { RecipeSite } from '../recipe-site.ts';
import { createUiOperations } from '../ui/create-ui-operations.ts';
import { demoPerson } from './demo-person.ts';
import { type RecordResult, recordSite } from './record-site.ts';

const CREDENTIALS = { username: 'demo', password: 'demo-password' };

/**
 * Review edits needed before each half of the draft works: each is [text in a line the recorder
 * flagged `# REVIEW:`, its replacement]. The API half works as drafted; so does the UI half.
 */
const API_REVIEW_EDITS: Array<[string, string]> = [];
const UI_REVIEW_EDITS: Array<[string, string]> = [];

interface Recorded {
  demo: DemoSite;
  browser: BrowserManager;
  result: RecordResult;
}

// One demo site and one Chromium for the whole file: the recording, then both replays.
let shared: Promise<Recorded> | undefined;
let users = 3;
const recorded = () => {
  shared ??= (async () => {
    const demo = await startDemoSite({
      slowWordDelayMs: 20,
      control: true,
      rateLimitPerMinute: DEMO_RATE_LIMIT_PER_MINUTE,
    });
    const dataDir = await mkdtemp(join(tmpdir(), 'recorder-test-'));
    const browser = new BrowserManager({ dataDir, logger: createLogger('silent') });
    const close = browser.close.bind(browser);
    browser.close = async () => {
      await close();
      await rm(dataDir, { recursive: true, force: true });
    };
    const result = await recordSite({
      url: `${demo.url}/`,
      browser,
      person: (page) => demoPerson(page, CREDENTIALS),
    });
    return { demo, browser, result };
  })();
  return shared;
};
const release = async () => {
  if (--users > 0 || !shared) return;
  const { demo, browser } = await shared;
  await browser.close();
  await demo.close();
};

// A draft holds what the recorded person did: one plain turn, one with an image. What they never
// did is left for the reviewer to add (docs/recipes.md), so those cases are skipped, saying why.
const NOT_RECORDED = {
  'native-tools':
    'the person made no tool turn, so the draft maps no tools into the send or tool calls out of the stream',
  reasoning: 'the person used no reasoning model, so the draft maps no reasoning field',
  'finish-length': 'the person set no output cap, so the draft maps none',
};
const UI_NOT_RECORDED = {
  ...NOT_RECORDED,
  'honest-uploads':
    'the UI half lists models from the picker, which shows no capabilities, so vision-1 declares no vision',
  'fault-rate-limit':
    'the person saw no refusal, so the UI half drafts no `error` selector and reads a refusal bubble as reply text',
  'fault-server-error':
    'the person saw no refusal, so the UI half drafts no `error` selector and reads a failure bubble as reply text',
  'fault-session-ended':
    'the drafted new-chat step waits for the composer; on the login page the page step times out before the drafted `loggedIn` check tells an ended session',
};

/** The draft with the given edits applied, each one only on a line the recorder flagged. */
function edited(yaml: string, edits: Array<[string, string]>): string {
  let out = yaml;
  for (const [from, to] of edits) {
    const lines = out.split('\n');
    const at = lines.findIndex((line) => line.includes(from));
    assert.ok(at !== -1, `edit target '${from}' is in the draft`);
    const flagged = lines.slice(Math.max(0, at - 6), at).some((line) => line.includes('# REVIEW:'));
    assert.ok(flagged, `edit target '${from}' is under a REVIEW mark`);
    out = out.replace(from, to);
  }
  return out;
}

/** The draft with one top-level section removed (to test the API and UI halves apart). */
function without(yaml: string, section: 'api' | 'ui'): string {
  const document = parseDocument(yaml);
  document.delete(section);
  return document.toString();
}

describe('recorder: an automated person uses the demo site', { timeout: 120_000 }, () => {
  test('the draft loads, marks its guesses, and never holds the password', async () => {
    try {
      const { result } = await recorded();
      const { yaml, reviews, findings } = result.draft;
      const recipe = parseRecipe(yaml, 'recorded.yaml');
      assert.equal(yaml.match(/# REVIEW:/g)?.length, reviews);
      assert.ok(reviews > 0 && reviews <= 12, `${reviews} review marks`);
      assert.equal(recipe.api?.send?.request.url.source, '/api/chat');
      assert.equal(recipe.api?.send?.stream.format, 'sse');
      assert.deepEqual(Object.keys(recipe.api?.login?.scrape ?? {}), ['csrf']);
      assert.equal(recipe.ui?.input.source, '[data-testid="composer-input"]');
      assert.ok(findings.some((line) => line.startsWith('The message went in POST /api/chat')));
      assert.ok(!JSON.stringify(result.recording).includes(CREDENTIALS.password), 'no password recorded');
    } finally {
      await release();
    }
  });
});

describeSiteConformance(
  `recorded draft, API half, over HTTP (${API_REVIEW_EDITS.length} review edits)`,
  async () => {
    const { demo, result } = await recorded();
    const site = new RecipeSite({
      id: 'recorded-api',
      recipe: parseRecipe(without(edited(result.draft.yaml, API_REVIEW_EDITS), 'ui'), 'recorded.yaml'),
      baseUrl: demo.url,
      credentials: CREDENTIALS,
      transport: new HttpTransport(),
      logger: createLogger('silent'),
    });
    return {
      site,
      // The recorder declares the uploads it saw: the person attached an image.
      ...demoTargetInputs(demo.url, CREDENTIALS, DEMO_IMAGE_UPLOAD),
      cleanup: async () => {
        await site.close();
        await release();
      },
    };
  },
  { skip: NOT_RECORDED },
);

describeSiteConformance(
  `recorded draft, UI half, in Chromium (${UI_REVIEW_EDITS.length} review edits)`,
  async () => {
    const { demo, browser, result } = await recorded();
    const logger = createLogger('silent');
    const account = browser.account('replay-ui', { homeUrl: `${demo.url}/` });
    const site = new RecipeSite({
      id: 'recorded-ui',
      recipe: parseRecipe(without(edited(result.draft.yaml, UI_REVIEW_EDITS), 'api'), 'recorded.yaml'),
      baseUrl: demo.url,
      credentials: CREDENTIALS,
      transport: new HttpTransport(),
      ui: (recipe, baseUrl) =>
        createUiOperations({ recipe, baseUrl, account, credentials: CREDENTIALS, logger }),
      logger,
    });
    return {
      site,
      // The recorder declares the uploads it saw: the person attached an image.
      ...demoTargetInputs(demo.url, CREDENTIALS, DEMO_IMAGE_UPLOAD),
      cleanup: async () => {
        await site.close();
        await release();
      },
    };
  },
  { skip: UI_NOT_RECORDED },
);
