/**
 * Connections to the shared Redis. Commands wait while Redis is away (ioredis reconnects and
 * replays them; `maxRetriesPerRequest: null` as BullMQ's workers require): an instance rides out
 * a Redis restart instead of failing what it was doing. Connection errors are logged once per
 * outage, never thrown into the service.
 */
import { Redis } from 'ioredis';
import type { Logger } from '../diagnostics/logger.js';
import { reasonOf } from '../diagnostics/errors.js';

export function connectRedis(url: string, logger: Logger, purpose: string): Redis {
  const redis = new Redis(url, {
    maxRetriesPerRequest: null,
    // Back within a second of Redis: a restart costs the queue little.
    retryStrategy: (times) => Math.min(50 * times, 1000),
    connectionName: `bbreporters-${purpose}`,
  });
  let down = false;
  redis.on('error', (error) => {
    if (down) return;
    down = true;
    logger.warn(
      { redis: purpose, err: reasonOf(error) },
      'Redis unreachable: waiting for it (commands are held, not lost)',
    );
  });
  redis.on('ready', () => {
    if (!down) return;
    down = false;
    logger.info({ redis: purpose }, 'Redis reachable again');
  });
  return redis;
}
