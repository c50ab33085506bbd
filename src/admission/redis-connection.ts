import { Redis } from 'ioredis';
import type { Logger } from '../core/logger.ts';

/**
 * The admission store's Redis client, set up to fail fast instead of hanging: no offline queue,
 * short command timeout, reconnects in the background. Logs loudly on every up/down transition.
 */
export function connectAdmissionRedis(url: string, logger: Logger): Redis {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: 1000,
    connectTimeout: 1000,
    retryStrategy: (times) => Math.min(times * 100, 1000),
  });
  let up: boolean | undefined;
  redis.on('ready', () => {
    if (up !== true) logger.info('admission: Redis connected; limits and slots are shared');
    up = true;
  });
  redis.on('error', (error) => {
    if (up !== false) logger.error({ err: error }, 'ADMISSION STORE DOWN: Redis unreachable');
    up = false;
  });
  redis.on('end', () => {
    up = false;
  });
  return redis;
}

export function redisUp(redis: Redis): boolean {
  return redis.status === 'ready';
}
