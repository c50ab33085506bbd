import type { ToolDefinition } from '../../core/chat-request.ts';
import type { Site, SiteEvent, SiteModel } from '../site.ts';

/**
 * What an adapter's conformance test hands the suite: the site, prompts its (fake or live) server
 * answers predictably, and — for the optional cases — what the site can do. A case the target
 * cannot feed is skipped only with a written reason (ConformanceOptions.skip).
 */
export interface ConformanceTarget {
  site: Site;
  /** A model id on the site to run the cases with. */
  model: string;
  /** A prompt whose reply contains `expectedText` (e.g. "Reply with the word PINEAPPLE"). */
  prompt: string;
  expectedText: string;
  /**
   * A model that answers `prompt` (with `expectedText`) quicker than `model`, for the cases that
   * only need some reply; default `model`.
   */
  quickModel?: string;
  /** A prompt whose reply streams for a while (to test incremental streaming and abort). */
  longPrompt: string;
  /**
   * A small file the site accepts, when it has uploads; `model` (default `model`) takes it in a
   * turn, so it must declare vision (images) or files (other types).
   */
  upload?: { data: Uint8Array; filename: string; mediaType: string; model?: string };
  /** A turn that makes a model with native tools call `tool` with `expectedArguments`. */
  tools?: {
    model: string;
    prompt: string;
    tool: ToolDefinition;
    expectedArguments: Record<string, unknown>;
  };
  /** A turn a reasoning model answers with reasoning before its text. */
  reasoning?: { model: string; prompt: string };
  /** A turn whose reply is longer than `maxOutputTokens` (the site's cap cuts it short). */
  length?: {
    model: string;
    prompt: string;
    maxOutputTokens: number;
    /**
     * Whether the same turn without the cap finishes with 'stop' and a longer text (false only
     * when a fake replays a fixed fixture whatever the cap; the case then checks the mapping).
     */
    uncappedStops: boolean;
  };
  /** Provokes a fault on the site; the answer's `restore` undoes it. */
  fault?: (kind: SiteFault) => Promise<ProvokedFault>;
  cleanup(): Promise<void>;
}

export type SiteFault = 'rate-limit' | 'session-ended' | 'server-error';

export interface ProvokedFault {
  /** The retry-after the site sent, when the test knows it exactly (otherwise any positive value). */
  retryAfterSeconds?: number;
  restore(): Promise<void>;
}

export type ConformanceCase =
  | 'session'
  | 'models'
  | 'one-reply'
  | 'incremental'
  | 'finish-last'
  | 'continuation'
  | 'abort'
  | 'upload'
  | 'delete-thread'
  | 'native-tools'
  | 'reasoning'
  | 'finish-stop'
  | 'finish-length'
  | 'fault-rate-limit'
  | 'fault-session-ended'
  | 'fault-server-error'
  | 'honest-threads'
  | 'honest-uploads'
  | 'honest-delete';

export interface ConformanceOptions {
  /** Cases this site cannot run, each with the reason (shown in the test output). */
  skip?: Partial<Record<ConformanceCase, string>>;
}

export async function collect(events: AsyncIterable<SiteEvent>): Promise<SiteEvent[]> {
  const out: SiteEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
}

export function textOf(events: SiteEvent[]): string {
  return events.map((e) => (e.type === 'text' ? e.delta : '')).join('');
}

export function finishOf(events: SiteEvent[]): string | undefined {
  const finishes = events.filter((e) => e.type === 'finish');
  return finishes.length === 1 && finishes[0]?.type === 'finish' ? finishes[0].reason : undefined;
}

export async function modelOf(site: Site, id: string, signal: AbortSignal): Promise<SiteModel> {
  const model = (await site.listModels(signal)).find((m) => m.id === id);
  if (!model) throw new Error(`model ${id} is not listed by ${site.id}`);
  return model;
}

/** What a send that must fail threw (fails the test when it did not throw). */
export async function failureOf(events: AsyncIterable<SiteEvent>): Promise<unknown> {
  try {
    const got = await collect(events);
    throw new ConformanceError(`the turn succeeded: ${JSON.stringify(got).slice(0, 300)}`);
  } catch (error) {
    if (error instanceof ConformanceError) throw error;
    return error;
  }
}

class ConformanceError extends Error {}

/** The smallest upload every image-taking site accepts: a PNG signature. */
export const TINY_PNG_UPLOAD = {
  data: new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10]),
  filename: 'dot.png',
  mediaType: 'image/png',
};
