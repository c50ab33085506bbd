/**
 * Prometheus metrics (`GET /metrics`, docs/metrics.md) on the gateway's own prom-client Registry,
 * never the global one, so two gateways in one process (tests) do not share counts. On the request
 * path there are only counter and histogram updates, all done once when the response closes; the
 * gauges of state (queues, accounts, browser, live requests) are read by `collect()` callbacks at
 * scrape time (`metrics-collectors.ts`).
 */
import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

export const METRIC_PREFIX = 'webchat_gateway_';

/** One chat request's observation; the labels are taken when the response closes. */
export interface ChatObservation {
  /** The public model that served the request, once it is known (bounded by the catalog). */
  model: string | undefined;
  /** A text, reasoning or tool-argument delta went out (the first one marks the TTFT). */
  output(): void;
  /** The usage event's token counts (site-measured or estimated). */
  usage(inputTokens: number, outputTokens: number): void;
  /** A failure after streaming began: HTTP said 200, the stream ended with an error event. */
  streamError(kind: string): void;
}

const TTFT_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60];
const DURATION_BUCKETS = [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600];
/** Label value of a request that ended before a model was resolved (bad input, refused, unknown). */
export const NO_MODEL = 'none';

export class GatewayMetrics {
  readonly registry = new Registry();
  readonly #requests: Counter<'route' | 'model' | 'status'>;
  readonly #streamErrors: Counter<'route' | 'model' | 'kind'>;
  readonly #ttft: Histogram<'route' | 'model'>;
  readonly #duration: Histogram<'route' | 'model'>;
  readonly #promptTokens: Counter<'model'>;
  readonly #completionTokens: Counter<'model'>;

  constructor(options: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    this.#requests = new Counter({
      name: `${METRIC_PREFIX}requests_total`,
      help: 'Chat requests by route, model and HTTP status ("aborted": the client left first).',
      labelNames: ['route', 'model', 'status'],
      registers,
    });
    this.#streamErrors = new Counter({
      name: `${METRIC_PREFIX}stream_errors_total`,
      help: 'Streamed chat requests that ended with an error event after a 200, by error kind.',
      labelNames: ['route', 'model', 'kind'],
      registers,
    });
    this.#ttft = new Histogram({
      name: `${METRIC_PREFIX}time_to_first_token_seconds`,
      help: 'From the request arriving (queue wait included) to the first output delta.',
      labelNames: ['route', 'model'],
      buckets: TTFT_BUCKETS,
      registers,
    });
    this.#duration = new Histogram({
      name: `${METRIC_PREFIX}request_duration_seconds`,
      help: 'From the request arriving to its response closing, however it ended.',
      labelNames: ['route', 'model'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.#promptTokens = new Counter({
      name: `${METRIC_PREFIX}prompt_tokens_total`,
      help: 'Input tokens of finished chat requests (site-reported, else estimated).',
      labelNames: ['model'],
      registers,
    });
    this.#completionTokens = new Counter({
      name: `${METRIC_PREFIX}completion_tokens_total`,
      help: 'Output tokens of finished chat requests (site-reported, else estimated).',
      labelNames: ['model'],
      registers,
    });
    // Event-loop lag, heap, GC, CPU, open handles: prom-client's own set, on this registry only.
    if (options.defaultMetrics !== false)
      collectDefaultMetrics({ register: this.registry, prefix: METRIC_PREFIX });
  }

  /** Starts observing one chat request; everything is recorded when `response` closes. */
  startChat(route: string, response: ServerResponse): ChatObservation {
    const started = performance.now();
    let firstOutput: number | undefined;
    let inputTokens = 0;
    let outputTokens = 0;
    let errorKind: string | undefined;
    const observation: ChatObservation = {
      model: undefined,
      output() {
        firstOutput ??= performance.now();
      },
      usage(input, output) {
        inputTokens = input;
        outputTokens = output;
      },
      streamError(kind) {
        errorKind = kind;
      },
    };
    response.once('close', () => {
      const model = observation.model ?? NO_MODEL;
      const status = response.writableFinished ? String(response.statusCode) : 'aborted';
      this.#requests.inc({ route, model, status });
      this.#duration.observe({ route, model }, (performance.now() - started) / 1000);
      if (firstOutput !== undefined) this.#ttft.observe({ route, model }, (firstOutput - started) / 1000);
      if (errorKind !== undefined) this.#streamErrors.inc({ route, model, kind: errorKind });
      if (inputTokens > 0) this.#promptTokens.inc({ model }, inputTokens);
      if (outputTokens > 0) this.#completionTokens.inc({ model }, outputTokens);
    });
    return observation;
  }
}

/**
 * `GET /metrics` in the Prometheus text format, for the admin token or the metrics token
 * (`auth: 'metrics'`, see `route-auth.ts`).
 */
export function registerMetricsRoute(app: FastifyInstance, metrics: GatewayMetrics): void {
  app.get('/metrics', { config: { auth: 'metrics' } }, async (_request, reply) => {
    const text = await metrics.registry.metrics();
    return reply.header('content-type', metrics.registry.contentType).send(text);
  });
}
