import { GatewayError } from '../../core/errors.ts';
import type { ConversationRepository } from './conversation-repository.ts';

/** Deletes one thread on its site; the pipeline routes it to `site.deleteThread` on the right account. */
export type DeleteThread = (siteId: string, threadId: string, accountId?: string) => Promise<void>;

export interface SweepOptions {
  repository: ConversationRepository;
  deleteThread: DeleteThread;
  now: Date;
  /** Threads taken per query; the sweep continues until none are due. Default 100. */
  batchSize?: number;
  /** When a site deletion fails, try that thread again after this long. Default 1 h. */
  retryAfterMs?: number;
}

export interface SweepResult {
  /** Threads deleted on the site (or already gone there) and unmapped. */
  deleted: number;
  /** Threads whose deletion failed; retried after `retryAfterMs`. */
  failed: number;
}

const DEFAULT_BATCH_SIZE = 100;
const DEFAULT_RETRY_AFTER_MS = 60 * 60 * 1000;

/**
 * Deletes every gateway thread past its `delete_after` (last use + retention, see
 * createConversations) on its site and drops its mapping, so the user's web history stays usable.
 */
export async function sweepExpiredThreads(options: SweepOptions): Promise<SweepResult> {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const retryAt = new Date(options.now.getTime() + (options.retryAfterMs ?? DEFAULT_RETRY_AFTER_MS));
  const result: SweepResult = { deleted: 0, failed: 0 };
  for (;;) {
    const due = await options.repository.listDue(options.now, batchSize);
    for (const thread of due) {
      // Leased threads are no longer due, so every pass makes progress and the loop ends.
      if (!(await options.repository.leaseForDeletion(thread.rowId, options.now, retryAt))) continue;
      try {
        await options.deleteThread(thread.siteId, thread.threadId, thread.accountId);
      } catch (error) {
        if (!(error instanceof GatewayError && error.kind === 'not_found')) {
          result.failed++;
          continue;
        }
      }
      await options.repository.remove(thread.rowId);
      result.deleted++;
    }
    if (due.length < batchSize) return result;
  }
}

export interface ThreadSweeperOptions extends Omit<SweepOptions, 'now'> {
  now?: () => Date;
  /** Receives sweep results and failures; the sweeper itself never throws. */
  onSweep?: (result: SweepResult) => void;
  onError?: (error: unknown) => void;
}

/**
 * Sweeps now and then every `intervalMs`, never two sweeps at once. The returned function stops it
 * and resolves once a sweep in progress has finished.
 */
export function startThreadSweeper(intervalMs: number, options: ThreadSweeperOptions): () => Promise<void> {
  const now = options.now ?? (() => new Date());
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();

  const run = async () => {
    try {
      const result = await sweepExpiredThreads({ ...options, now: now() });
      options.onSweep?.(result);
    } catch (error) {
      try {
        options.onError?.(error);
      } catch {
        // A failing error reporter must not take the process down either.
      }
    }
  };
  const schedule = (delayMs: number) => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = run().then(() => schedule(intervalMs));
    }, delayMs);
    // The sweeper alone must not keep the process alive.
    timer.unref();
  };

  schedule(0);
  return async () => {
    stopped = true;
    if (timer !== undefined) clearTimeout(timer);
    await running;
  };
}
