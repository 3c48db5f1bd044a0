/** Leases on a real redis-server: one holder at a time, takeover after a holder dies, hand-over at stop, stop when Redis is gone. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { connectRedis } from '../core/src/cluster/redis-connection.js';
import { Lease } from '../core/src/cluster/lease.js';
import { createLogger } from '../core/src/diagnostics/logger.js';
import { RedisServer } from './support/redis-server.js';

const logger = createLogger({ secrets: new Set(), destination: { write: () => undefined } });
let server: RedisServer;
const connections: Redis[] = [];

beforeAll(async () => {
  server = await RedisServer.start();
});
afterAll(async () => {
  for (const c of connections) c.disconnect();
  await server.stop();
});

function instance(name: string, key: string, ttlMs: number) {
  const redis = connectRedis(server.url, logger, name);
  connections.push(redis);
  const log: string[] = [];
  const lease = new Lease(
    redis,
    key,
    name,
    ttlMs,
    { acquired: () => void log.push('up'), lost: () => void log.push('down') },
    logger,
  );
  return { redis, lease, log };
}

const until = async (check: () => boolean, ms: number) => {
  const deadline = Date.now() + ms;
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  return check();
};

describe('lease', () => {
  it('is held by one instance; a stopped holder hands it over at once', async () => {
    const a = instance('a', 'test:lease:one', 1500);
    const b = instance('b', 'test:lease:one', 1500);
    await a.lease.start();
    await b.lease.start();
    expect([a.lease.isHeld, b.lease.isHeld]).toEqual([true, false]);
    await new Promise((r) => setTimeout(r, 2000)); // renewals keep it past its ttl
    expect([a.lease.isHeld, b.lease.isHeld]).toEqual([true, false]);
    await a.lease.stop();
    expect(a.log).toEqual(['up', 'down']);
    expect(await until(() => b.lease.isHeld, 1000)).toBe(true);
    await b.lease.stop();
  });

  it('a holder that dies (no renewal) is replaced within ttl + ttl/5', async () => {
    const a = instance('a2', 'test:lease:two', 1000);
    const b = instance('b2', 'test:lease:two', 1000);
    await a.lease.start();
    await b.lease.start();
    a.redis.disconnect(); // a dies: nothing renews its lease
    const started = Date.now();
    expect(await until(() => b.lease.isHeld, 3000)).toBe(true);
    expect(Date.now() - started).toBeLessThan(1000 + 200 + 300);
    await b.lease.stop();
  });

  it('a holder that cannot reach Redis stops its work', async () => {
    const a = instance('a3', 'test:lease:three', 1200);
    await a.lease.start();
    expect(a.lease.isHeld).toBe(true);
    await server.halt('SIGKILL');
    try {
      expect(await until(() => !a.lease.isHeld, 2500)).toBe(true);
      expect(a.log).toEqual(['up', 'down']);
    } finally {
      await server.run();
    }
    await a.lease.stop();
  });
});
