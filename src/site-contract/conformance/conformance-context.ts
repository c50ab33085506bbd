import type { SiteEvent, SiteTurn } from '../site.ts';
import type { ConformanceCase, ConformanceTarget } from './conformance-target.ts';

/** What the case files get from `describeSiteConformance`: the target (after setup), skips, a deadline. */
export interface CaseContext {
  target(): ConformanceTarget;
  /** The written reason to skip `which`, or false. */
  skip(which: ConformanceCase): string | false;
  signal(): AbortSignal;
}

/** A new-thread turn with the target's prompt on its quick model. */
export function quickTurn(target: ConformanceTarget, extra: Partial<SiteTurn> = {}): SiteTurn {
  return { model: target.quickModel ?? target.model, text: target.prompt, attachments: [], ...extra };
}

/** One ordinary reply shared by the cases that only read it (each send costs time on slow sites). */
export function memoReply(ctx: Pick<CaseContext, 'target' | 'signal'>): () => Promise<SiteEvent[]> {
  let reply: Promise<SiteEvent[]> | undefined;
  return () => {
    reply ??= (async () => {
      const out: SiteEvent[] = [];
      for await (const event of ctx.target().site.send(quickTurn(ctx.target()), ctx.signal()))
        out.push(event);
      return out;
    })();
    return reply;
  };
}

/** The target's spec for an optional case; a case that is not skipped needs one. */
export function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) {
    throw new Error(`the conformance target provides no ${what}: provide it, or skip the case with a reason`);
  }
  return value;
}
