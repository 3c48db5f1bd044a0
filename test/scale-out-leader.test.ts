/**
 * The buildbot follower's Redis parts on a real redis-server: a source wrapped in LeaderSource runs
 * on one instance at a time (start returns without waiting to lead, hand-over at close, takeover
 * after the holder is gone, a failed start tried again), and the cursor shared in Redis, written
 * only by the lease's holder.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Cluster } from '../core/src/cluster/cluster.js';
import { LeaderSource } from '../core/src/cluster/leader-source.js';
import { createLogger } from '../core/src/diagnostics/logger.js';
import { Cursor } from '../core/src/sources/buildbot/cursor.js';
import type { EventSink, Source } from '../core/src/sources/source.js';
import { RedisServer } from './support/redis-server.js';

const logger = createLogger({ secrets: new Set(), destination: { write: () => undefined } });
const LEASE_MS = 600;
let server: RedisServer;
let clusters: Cluster[] = [];

beforeAll(async () => {
  server = await RedisServer.start();
});
afterEach(async () => {
  await Promise.allSettled(clusters.map((c) => c.close()));
  clusters = [];
});
afterAll(async () => {
  await server.stop();
});

function cluster(instance: string, prefix: string): Cluster {
  const c = Cluster.start({ type: 'redis', url: server.url, prefix, instance, leaseMs: LEASE_MS }, logger);
  clusters.push(c);
  return c;
}

/** A source that notes its starts and closes; its first `failures` starts reject. */
function recordingSource(failures = 0) {
  const log: string[] = [];
  let running = false;
  const source: Source = {
    type: 'buildbot',
    start: async () => {
      if (failures-- > 0) {
        log.push('start failed');
        throw new Error('master away');
      }
      running = true;
      log.push('start');
    },
    close: async () => {
      running = false;
      log.push('close');
    },
    connectionState: () => ({ up: running }),
  };
  return { source, log, running: () => running };
}

const sink: EventSink = () => Promise.reject(new Error('no events in this test'));

const until = async (check: () => boolean, ms: number) => {
  const deadline = Date.now() + ms;
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  return check();
};

describe('LeaderSource', () => {
  it('runs the source on one instance; the other waits, and takes over at once when the first closes', async () => {
    const a = recordingSource();
    const b = recordingSource();
    const leaderA = new LeaderSource(a.source, 'source:buildbot:m', cluster('a', 'p1'));
    const leaderB = new LeaderSource(b.source, 'source:buildbot:m', cluster('b', 'p1'));
    await leaderA.start(sink);
    const started = Date.now();
    await leaderB.start(sink); // returns without waiting to lead
    expect(Date.now() - started).toBeLessThan(LEASE_MS);
    expect(await until(() => a.running(), 2000)).toBe(true);
    await new Promise((r) => setTimeout(r, LEASE_MS * 2));
    expect(b.log).toEqual([]);
    expect(leaderA.connectionState()).toEqual({ up: true, leader: true });
    expect(leaderB.connectionState()).toEqual({ up: false, leader: false });
    await leaderA.close();
    expect(a.log).toEqual(['start', 'close']);
    // Given back at close: B takes it at its next try (every LEASE_MS/5), not after the expiry.
    const handedOver = Date.now();
    expect(await until(() => b.running(), LEASE_MS)).toBe(true);
    expect(Date.now() - handedOver).toBeLessThan(LEASE_MS / 5 + 200);
    expect(leaderB.connectionState().leader).toBe(true);
    await leaderB.close();
    expect(b.log).toEqual(['start', 'close']);
  });

  it('takes over within 1.2 × leaseMs when the holder is gone without giving the lease back', async () => {
    const a = recordingSource();
    const b = recordingSource();
    const clusterA = cluster('a', 'p2');
    const leaderA = new LeaderSource(a.source, 'source:buildbot:m', clusterA);
    const leaderB = new LeaderSource(b.source, 'source:buildbot:m', cluster('b', 'p2'));
    await leaderA.start(sink);
    await leaderB.start(sink);
    expect(await until(() => a.running(), 2000)).toBe(true);
    // A loses Redis (as a killed process would): it stops following when its renewal fails; B takes over.
    clusterA.redis.disconnect();
    const gone = Date.now();
    expect(await until(() => b.running(), LEASE_MS * 3)).toBe(true);
    expect(Date.now() - gone).toBeLessThanOrEqual(LEASE_MS * 1.2 + 300);
    expect(await until(() => !a.running(), LEASE_MS)).toBe(true);
    expect(a.log).toEqual(['start', 'close']);
  });

  it('tries a failed start again while it holds the lease', async () => {
    const a = recordingSource(1);
    const leaderA = new LeaderSource(a.source, 'source:buildbot:m', cluster('a', 'p3'));
    await leaderA.start(sink);
    expect(await until(() => a.running(), 3000)).toBe(true);
    expect(a.log).toEqual(['start failed', 'start']);
    await leaderA.close();
  });
});

describe('the cursor in Redis', () => {
  it('is read by the instance that takes over; only the holder of the lease writes it', async () => {
    const a = cluster('a', 'p4');
    const b = cluster('b', 'p4');
    const name = 'source:buildbot:m';
    const leaseA = a.lease(name, { acquired: () => undefined, lost: () => undefined });
    await leaseA.start();
    expect(leaseA.isHeld).toBe(true);

    const written = new Cursor('http://m/', a.cursorStore(name));
    written.initialised = true;
    written.buildSeen(7, false);
    written.buildSeen(6, true);
    written.buildsetSeen(3, false);
    written.markReported('buildStarted:7');
    await written.save();

    // B is not the holder: its write is refused, and what A wrote stays.
    const refused = new Cursor('http://m/', b.cursorStore(name));
    refused.initialised = true;
    await expect(refused.save()).rejects.toThrow(/no longer holds p4:lease:source:buildbot:m/);

    await leaseA.stop();
    const leaseB = b.lease(name, { acquired: () => undefined, lost: () => undefined });
    await leaseB.start();
    expect(leaseB.isHeld).toBe(true);
    const read = new Cursor('http://m/', b.cursorStore(name));
    expect(await read.load()).toBeUndefined();
    expect(read.initialised).toBe(true);
    expect([read.maxBuildid, read.maxBsid, [...read.running], [...read.openBuildsets]]).toEqual([7, 3, [7], [3]]);
    expect(read.wasReported('buildStarted:7')).toBe(true);
    expect(read.wasReported('buildFinished:7')).toBe(false);
    // Now B holds the lease: its writes go through, and A's are refused.
    read.buildSeen(7, true);
    await read.save();
    await expect(new Cursor('http://m/', a.cursorStore(name)).save()).rejects.toThrow(/no longer holds/);
    const again = new Cursor('http://m/', b.cursorStore(name));
    await again.load();
    expect([...again.running]).toEqual([]);
    expect(await a.redis.get('p4:cursor:source:buildbot:m')).toContain('"maxBuildid":7');
    await leaseB.stop();
  });
});
