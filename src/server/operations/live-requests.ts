/**
 * The chat requests in flight right now, from admission to their last byte: for the admin API
 * (`GET /admin/api/requests/live`, cancel), the dashboard and the live-requests gauge. Tracking is
 * a map insert and delete per request and a number add per output delta; nothing else runs on the
 * request path (views are built when someone asks).
 */
import type { FastifyInstance } from 'fastify';
import type { ServedBy } from '../../core/served-by.ts';
import { GatewayError } from '../../core/errors.ts';

export interface LiveRequestEntry {
  requestId: string;
  userId: string;
  keyId: string;
  model: string;
  dialect: string;
  stream: boolean;
}

export interface LiveRequestView {
  request_id: string;
  user_id: string;
  key_id: string;
  model: string;
  dialect: string;
  stream: boolean;
  site_id: string | null;
  account_id: string | null;
  started_at: string;
  elapsed_ms: number;
  output_chars: number;
}

export interface LiveRequestHandle {
  /** Adds output characters (text, reasoning, tool arguments) produced so far. */
  noteOutput(chars: number): void;
  /** The request is over, however it ended. Idempotent. */
  done(): void;
}

interface Tracked {
  entry: LiveRequestEntry;
  abort: (reason: Error) => void;
  /** Filled by the pipeline and the account pool as they learn who serves the request. */
  served: ServedBy | undefined;
  startedAt: number;
  outputChars: number;
}

export class LiveRequests {
  readonly #live = new Map<string, Tracked>();

  /**
   * Starts tracking a request; `abort` stops it (the request's own abort controller). Pass the
   * request's `ServedBy` record as `served` to show its site and account.
   */
  track(entry: LiveRequestEntry, abort: (reason: Error) => void, served?: ServedBy): LiveRequestHandle {
    const tracked: Tracked = { entry, abort, served, startedAt: Date.now(), outputChars: 0 };
    // Two requests may present the same caller-chosen `x-request-id`: the newer one is listed.
    this.#live.set(entry.requestId, tracked);
    return {
      noteOutput: (chars) => {
        tracked.outputChars += chars;
      },
      done: () => {
        if (this.#live.get(entry.requestId) === tracked) this.#live.delete(entry.requestId);
      },
    };
  }

  /** How many requests are in flight (the metrics gauge reads it). */
  get size(): number {
    return this.#live.size;
  }

  /** The requests in flight, oldest first. */
  list(): LiveRequestView[] {
    const now = Date.now();
    return [...this.#live.values()]
      .sort((a, b) => a.startedAt - b.startedAt)
      .map(({ entry, served, startedAt, outputChars }) => ({
        request_id: entry.requestId,
        user_id: entry.userId,
        key_id: entry.keyId,
        model: entry.model,
        dialect: entry.dialect,
        stream: entry.stream,
        site_id: served?.siteId ?? null,
        account_id: served?.accountId ?? null,
        started_at: new Date(startedAt).toISOString(),
        elapsed_ms: now - startedAt,
        output_chars: outputChars,
      }));
  }

  /**
   * Stops a request in flight: its site generation is aborted and its client gets the dialect's
   * error (an error event when streaming). False when no such request is running.
   */
  cancel(requestId: string): boolean {
    const tracked = this.#live.get(requestId);
    if (!tracked) return false;
    tracked.abort(new GatewayError('timeout', 'The request was cancelled by the gateway admin.'));
    return true;
  }
}

const auth = { config: { auth: 'admin-token' as const } };

/** `GET /admin/api/requests/live` and `POST /admin/api/requests/:id/cancel`, for the admin token. */
export function registerLiveRequestRoutes(app: FastifyInstance, live: LiveRequests): void {
  app.get('/admin/api/requests/live', auth, async () => ({ object: 'list', data: live.list() }));
  app.post('/admin/api/requests/:id/cancel', auth, async (request) => {
    const { id } = request.params as { id: string };
    if (!live.cancel(id)) {
      throw new GatewayError('not_found', `No request in flight with id '${id}'.`, { param: 'id' });
    }
    return { request_id: id, object: 'live_request', cancelled: true };
  });
}
