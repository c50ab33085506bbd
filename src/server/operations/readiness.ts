import type { FastifyInstance } from 'fastify';
import type { Logger } from '../../core/logger.ts';

/** One dependency `/readyz` checks; `check` throws (or rejects) when it is not ready. */
export interface ReadinessCheck {
  name: string;
  check(signal: AbortSignal): Promise<void> | void;
}

/** Runs one check; one that ignores its signal still fails when the time is up. */
async function runCheck(check: ReadinessCheck['check'], timeoutMs: number): Promise<void> {
  const controller = new AbortController();
  const timedOut = new Promise<never>((_resolve, reject) => {
    controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
  });
  const timer = setTimeout(
    () => controller.abort(new Error(`readiness check timed out after ${timeoutMs} ms`)),
    timeoutMs,
  );
  try {
    await Promise.race([(async () => check(controller.signal))(), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `GET /readyz`: 200 when every check passes, else 503 naming the failing ones (details only in the
 * log: an error message may carry a connection string). `GET /healthz` stays "the process answers".
 * A draining gateway is not ready, so a load balancer stops sending it new requests.
 */
export function registerReadiness(
  app: FastifyInstance,
  checks: readonly ReadinessCheck[],
  options: { logger: Logger; draining: () => boolean; checkTimeoutMs?: number },
): void {
  app.get('/readyz', { config: { auth: 'public' } }, async (_request, reply) => {
    if (options.draining()) return reply.code(503).send({ status: 'shutting_down', checks: {} });
    const results: Record<string, 'ok' | 'failed'> = {};
    await Promise.all(
      checks.map(async ({ name, check }) => {
        try {
          await runCheck(check, options.checkTimeoutMs ?? 3_000);
          results[name] = 'ok';
        } catch (error) {
          options.logger.warn({ check: name, err: error }, 'readiness check failed');
          results[name] = 'failed';
        }
      }),
    );
    const ready = Object.values(results).every((result) => result === 'ok');
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', checks: results });
  });
}
