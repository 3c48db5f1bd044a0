/**
 * The `queue: {type: redis}` config block with its defaults filled in: what every part of the
 * Redis mode (intake claims, delivery jobs, holds, leases) reads.
 */
import { hostname } from 'node:os';
import type { QueueConfig } from '../generated/schemas.js';

export type RedisQueueConfig = Extract<QueueConfig, { type: 'redis' }>;

export interface RedisSettings {
  url: string;
  prefix: string;
  /** This instance's name in leases and logs. */
  instance: string;
  leaseMs: number;
  dedupeTtlMs: number;
}

export function redisSettings(config: RedisQueueConfig): RedisSettings {
  return {
    url: config.url,
    prefix: config.prefix ?? 'bbr',
    instance: config.instance ?? `${hostname()}-${process.pid}`,
    leaseMs: config.leaseMs ?? 10_000,
    dedupeTtlMs: config.dedupeTtlMs ?? 86_400_000,
  };
}

/** The password of a redis:// URL: a secret, masked wherever the URL could show. */
export function redisUrlSecret(url: string): string | undefined {
  try {
    const password = decodeURIComponent(new URL(url).password);
    return password || undefined;
  } catch {
    return undefined;
  }
}
