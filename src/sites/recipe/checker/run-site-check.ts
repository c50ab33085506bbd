import { GatewayError } from '../../../core/errors.ts';
import type { Site, SiteEvent, SiteModel, SiteTurn } from '../../../site-contract/site.ts';
import type { CheckProbes } from './check-probes.ts';

export const CHECK_ROWS = [
  'logged in',
  'models listed',
  'one-word reply',
  'streaming incremental',
  'multi-turn continuation',
  'system prompt obeyed',
  'image accepted',
  'abort stops generation',
  'thread deletion',
] as const;

export type CheckRowName = (typeof CHECK_ROWS)[number];

export interface CheckRow {
  name: CheckRowName;
  status: 'pass' | 'fail' | 'skip';
  /** What was seen, in a line: the reply, the counts, the error. */
  evidence: string;
  ms: number;
}

interface RowOutcome {
  status: CheckRow['status'];
  evidence: string;
}

interface CheckContext {
  site: Site;
  probes: CheckProbes;
  models: SiteModel[];
  model: string | undefined;
  signal: AbortSignal;
}

type Row = (context: CheckContext) => Promise<RowOutcome>;

/**
 * Probes a live site through the Site interface alone (so any site works, built-in or recipe) and
 * reports each capability as pass / fail / skip with the evidence. Rows run in order; one failing
 * does not stop the others.
 */
export async function runSiteCheck(
  site: Site,
  probes: CheckProbes,
  options: { onRow?: (row: CheckRow) => void } = {},
): Promise<CheckRow[]> {
  const context: CheckContext = {
    site,
    probes,
    models: [],
    model: probes.model,
    signal: AbortSignal.abort(),
  };
  const rows: CheckRow[] = [];
  for (const name of CHECK_ROWS) {
    const started = Date.now();
    const controller = new AbortController();
    const timer = setTimeout(
      () => controller.abort(new GatewayError('timeout', `no answer within ${probes.rowTimeoutMs} ms`)),
      probes.rowTimeoutMs,
    );
    context.signal = controller.signal;
    let outcome: RowOutcome;
    try {
      outcome = await untilAborted(ROWS[name](context), controller.signal);
    } catch (error) {
      outcome = { status: 'fail', evidence: describeError(error) };
    } finally {
      clearTimeout(timer);
      controller.abort();
    }
    const row: CheckRow = { name, ...outcome, ms: Date.now() - started };
    rows.push(row);
    options.onRow?.(row);
  }
  return rows;
}

const ROWS: Record<CheckRowName, Row> = {
  'logged in': async ({ site, signal }) => {
    await site.login(signal);
    const state = await site.checkSession(signal);
    if (state.state !== 'ok') return fail(`session ${state.state}: ${state.reason}`);
    return pass(`session ok${state.user ? ` as ${state.user}` : ''}`);
  },

  'models listed': async (context) => {
    const models = await context.site.listModels(context.signal);
    context.models = models;
    if (models.length === 0) return fail('the site listed no models');
    const ids = models.map((model) => model.id);
    if (context.probes.model && !ids.includes(context.probes.model))
      return fail(`${models.length} models, but not ${context.probes.model}: ${preview(ids.join(', '))}`);
    context.model ??= ids[0];
    return pass(`${models.length} models: ${preview(ids.join(', '), 70)}`);
  },

  'one-word reply': async ({ site, probes, signal, model }) => {
    const reply = await chat(site, { model: need(model), text: probes.prompt, attachments: [] }, signal);
    const finishes = reply.events.filter((event) => event.type === 'finish').length;
    if (!reply.text.includes(probes.expected))
      return fail(`reply lacks ${probes.expected}: ${quote(reply.text)}`);
    if (finishes !== 1 || reply.events.at(-1)?.type !== 'finish')
      return fail(`${finishes} finish events; the last event was ${reply.events.at(-1)?.type}`);
    return pass(`${quote(lastLine(reply.text))} in ${reply.ms} ms`);
  },

  'streaming incremental': async ({ site, probes, signal, model }) => {
    const reply = await chat(site, { model: need(model), text: probes.longPrompt, attachments: [] }, signal);
    const deltas = reply.textTimes.length;
    const first = reply.textTimes[0] ?? 0;
    const spread = (reply.textTimes.at(-1) ?? 0) - first;
    const evidence = `${deltas} text deltas, first after ${first} ms, spread over ${spread} ms`;
    return deltas >= 2 ? pass(evidence) : fail(evidence);
  },

  'multi-turn continuation': async ({ site, probes, signal, model }) => {
    if (!site.capabilities.threads) return skip('the site keeps no threads (history is resent each turn)');
    const first = await chat(
      site,
      { model: need(model), text: probes.memory.first, attachments: [] },
      signal,
    );
    if (!first.threadId) return fail('the first turn reported no thread');
    const second = await chat(
      site,
      { model: need(model), threadId: first.threadId, text: probes.memory.second, attachments: [] },
      signal,
    );
    if (second.threadId !== first.threadId)
      return fail(`the second turn went to thread ${second.threadId}, not ${first.threadId}`);
    if (!second.text.toLowerCase().includes(probes.memory.word.toLowerCase()))
      return fail(`turn 2 forgot ${probes.memory.word}: ${quote(second.text)}`);
    return pass(`thread ${first.threadId} recalled ${probes.memory.word}: ${quote(lastLine(second.text))}`);
  },

  'system prompt obeyed': async ({ site, probes, signal, models, model }) => {
    const chosen = models.find((candidate) => candidate.id === model);
    if (chosen && !chosen.capabilities.systemPrompt) return skip(`${chosen.id} takes no system prompt`);
    const { system, text, expect } = probes.systemPrompt;
    const reply = await chat(
      site,
      { model: need(model), text, systemPrompt: system, attachments: [] },
      signal,
    );
    if (!expect.test(reply.text)) return fail(`reply does not match ${expect}: ${quote(reply.text)}`);
    return pass(`matched ${expect}: ${quote(matchOf(reply.text, expect))}`);
  },

  'image accepted': async ({ site, probes, signal, models }) => {
    if (!site.capabilities.uploads) return skip('the site takes no uploads');
    const vision = probes.visionModel ?? models.find((candidate) => candidate.capabilities.vision)?.id;
    if (!vision) return skip('no model takes images');
    const { data, filename, mediaType, text, expect } = probes.image;
    const attachment = await site.upload({ data, filename, mediaType }, signal);
    const reply = await chat(site, { model: vision, text, attachments: [attachment] }, signal);
    if (!expect.test(reply.text))
      return fail(`${vision}: reply does not match ${expect}: ${quote(reply.text)}`);
    return pass(
      `${vision} got file ${attachment.fileId}; matched ${expect}: ${quote(matchOf(reply.text, expect))}`,
    );
  },

  'abort stops generation': async ({ site, probes, signal, model }) => {
    const controller = new AbortController();
    const onOuterAbort = () => controller.abort(signal.reason);
    signal.addEventListener('abort', onOuterAbort, { once: true });
    let threadId: string | undefined;
    let abortedAt = 0;
    let outcome = 'ended quietly';
    try {
      for await (const event of site.send(
        { model: need(model), text: probes.longPrompt, attachments: [] },
        controller.signal,
      )) {
        if (event.type === 'thread') threadId = event.threadId;
        if (event.type === 'text' && abortedAt === 0) {
          abortedAt = Date.now();
          controller.abort(new Error('checker abort'));
        }
        if (event.type === 'finish')
          return fail(abortedAt ? 'the reply finished despite the abort' : 'no text before the end');
      }
    } catch (error) {
      if (!abortedAt) throw error;
      outcome = 'rejected';
    } finally {
      signal.removeEventListener('abort', onOuterAbort);
    }
    if (!abortedAt) return fail('no text arrived to abort');
    const stopMs = Date.now() - abortedAt;
    if (stopMs > 5000) return fail(`the stream went on for ${stopMs} ms after the abort`);
    if (!threadId || !site.capabilities.threads)
      return pass(`stream ${outcome} ${stopMs} ms after the abort`);
    // A site still generating refuses a new message in that thread; one that stopped takes it.
    const follow = await retrying(
      () => accepted(site, { model: need(model), threadId, text: probes.prompt, attachments: [] }, signal),
      signal,
    );
    if (!follow.ok)
      return fail(`after the abort the thread refused a new message: ${describeError(follow.error)}`);
    return pass(`stream ${outcome} ${stopMs} ms after the abort; the thread took a new message`);
  },

  'thread deletion': async ({ site, probes, signal, model }) => {
    if (!site.capabilities.deleteThreads) return skip('the site cannot delete threads');
    const threadId = await openThread(
      site,
      { model: need(model), text: probes.prompt, attachments: [] },
      signal,
    );
    if (!threadId) return fail('no thread to delete: the site reported none');
    await site.deleteThread(threadId, signal);
    try {
      await chat(site, { model: need(model), threadId, text: probes.prompt, attachments: [] }, signal);
    } catch (error) {
      if (error instanceof GatewayError && error.kind === 'not_found')
        return pass(`deleted ${threadId}; continuing it fails with not_found`);
      return fail(`deleted ${threadId}, but continuing it failed otherwise: ${describeError(error)}`);
    }
    return fail(`deleted ${threadId}, but the thread still answers`);
  },
};

interface Reply {
  events: SiteEvent[];
  text: string;
  threadId?: string;
  /** Milliseconds from the send to each text delta. */
  textTimes: number[];
  ms: number;
}

async function chat(site: Site, turn: SiteTurn, signal: AbortSignal): Promise<Reply> {
  const started = Date.now();
  const events: SiteEvent[] = [];
  const textTimes: number[] = [];
  let text = '';
  let threadId: string | undefined;
  for await (const event of site.send(turn, signal)) {
    events.push(event);
    if (event.type === 'text') {
      text += event.delta;
      textTimes.push(Date.now() - started);
    }
    if (event.type === 'thread') threadId ??= event.threadId;
  }
  return { events, text, ...(threadId ? { threadId } : {}), textTimes, ms: Date.now() - started };
}

/** Whether the site takes the turn (its first event arrives); the reply is then abandoned. */
async function accepted(site: Site, turn: SiteTurn, signal: AbortSignal): Promise<void> {
  const controller = new AbortController();
  const onAbort = () => controller.abort(signal.reason);
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    for await (const _event of site.send(turn, controller.signal)) return;
  } finally {
    signal.removeEventListener('abort', onAbort);
    controller.abort(new Error('checker: reply not needed'));
  }
}

/** Starts a thread and returns its id once the site reports it, even if the reply then fails. */
async function openThread(site: Site, turn: SiteTurn, signal: AbortSignal): Promise<string | undefined> {
  let threadId: string | undefined;
  try {
    for await (const event of site.send(turn, signal))
      if (event.type === 'thread') threadId ??= event.threadId;
  } catch (error) {
    if (!threadId) throw error;
  }
  return threadId;
}

/**
 * Retries for a second while the site says it is busy: noticing an abort takes it milliseconds, so
 * a site still busy after that is still generating.
 */
async function retrying<T>(
  run: () => Promise<T>,
  signal: AbortSignal,
): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  const deadline = Date.now() + 1000;
  for (;;) {
    try {
      return { ok: true, value: await run() };
    } catch (error) {
      const busy = error instanceof GatewayError && error.kind === 'rate_limit';
      if (!busy || Date.now() > deadline || signal.aborted) return { ok: false, error };
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function need(model: string | undefined): string {
  if (!model) throw new Error('no model to use (the model list failed)');
  return model;
}

const pass = (evidence: string): RowOutcome => ({ status: 'pass', evidence });
const fail = (evidence: string): RowOutcome => ({ status: 'fail', evidence });
const skip = (evidence: string): RowOutcome => ({ status: 'skip', evidence });

function describeError(error: unknown): string {
  if (error instanceof GatewayError) return `${error.kind}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

function preview(text: string, max = 60): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function quote(text: string): string {
  return `"${preview(text)}"`;
}

function lastLine(text: string): string {
  return text.trim().split('\n').at(-1) ?? '';
}

function matchOf(text: string, pattern: RegExp): string {
  return pattern.exec(text)?.[0] ?? text;
}
