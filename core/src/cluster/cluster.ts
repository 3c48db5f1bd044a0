/**
 * The Redis mode's shared parts for one instance (config `queue: {type: redis}`): its settings,
 * one command connection, and the leases it takes part in. Made by the service at start, closed
 * last at stop.
 */
import type { Redis } from 'ioredis';
import type { Logger } from '../diagnostics/logger.js';
import { connectRedis } from './redis-connection.js';
import { Lease, type LeaseWork } from './lease.js';
import { within } from '../lang/within.js';
import { RedisCursorStore } from './redis-cursor-store.js';
import { redisSettings, redisUrlSecret, type RedisQueueConfig, type RedisSettings } from './redis-settings.js';

/** How long closing waits for Redis to answer. */
const CLOSE_WAIT_MS = 2000;

export class Cluster {
  private readonly leases: Lease[] = [];
  /** Renews this instance's presence key: others see it alive (an event claim it holds is not taken over). */
  private presence: NodeJS.Timeout | undefined;

  private constructor(
    readonly settings: RedisSettings,
    /** Commands (claims, holds, lanes, leases); BullMQ makes its own connections from `settings.url`. */
    readonly redis: Redis,
    readonly logger: Logger,
  ) {}

  static start(config: RedisQueueConfig, logger: Logger): Cluster {
    const settings = redisSettings(config);
    const clusterLogger = logger.child({ instance: settings.instance });
    const cluster = new Cluster(settings, connectRedis(settings.url, clusterLogger, 'commands'), clusterLogger);
    cluster.keepPresence();
    return cluster;
  }

  /** `<prefix>:instance:<name>`, alive while its instance runs (renewed every third of `leaseMs`). */
  presenceKey(instance = this.settings.instance): string {
    return this.key('instance', instance);
  }

  private keepPresence(): void {
    const renew = () =>
      void this.redis.set(this.presenceKey(), String(process.pid), 'PX', this.settings.leaseMs).catch(() => undefined);
    renew();
    this.presence = setInterval(renew, this.settings.leaseMs / 3);
  }

  /** The Redis URL's password, if any: a secret for the logs' mask. */
  get secret(): string | undefined {
    return redisUrlSecret(this.settings.url);
  }

  /** A key under the cluster's prefix: `key('lease', 'source', 'buildbot')` → `bbr:lease:source:buildbot`. */
  key(...parts: string[]): string {
    return [this.settings.prefix, ...parts].join(':');
  }

  /** The Redis key of the lease `name`. */
  leaseKey(name: string): string {
    return this.key('lease', name);
  }

  /** Work only one instance of the cluster does at a time (see ./lease.ts); started by the caller. */
  lease(name: string, work: LeaseWork): Lease {
    const lease = new Lease(
      this.redis,
      this.leaseKey(name),
      this.settings.instance,
      this.settings.leaseMs,
      work,
      this.logger,
    );
    this.leases.push(lease);
    return lease;
  }

  /** A source's cursor shared by the instances, written only by the holder of the lease `name` (the source's). */
  cursorStore(name: string): RedisCursorStore {
    return new RedisCursorStore(this.redis, this.key('cursor', name), this.leaseKey(name), this.settings.instance);
  }

  /** Gives every lease back (their work stops), then disconnects. */
  /** Bounded: a stop while Redis is away does not wait for it (leases and presence then expire on their own). */
  async close(): Promise<void> {
    clearInterval(this.presence);
    await Promise.allSettled(this.leases.map((l) => l.stop()));
    await within(CLOSE_WAIT_MS, this.redis.del(this.presenceKey())).catch(() => undefined);
    this.redis.disconnect();
  }
}
