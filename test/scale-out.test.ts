/**
 * Several `bbreporters run` instances sharing one real redis-server (AOF on): the real CLI as child
 * processes with the real http-status-push reporter, a recording server as the remote. Events are
 * spread over the instances the way a load balancer would (a refused post goes to the next one);
 * one instance is killed with SIGKILL mid-run, Redis is restarted mid-run, a remote's 429 holds
 * its origin for every instance. What arrives is counted: every build's started and finished
 * statuses, in order per target, twins only for sends in flight at the kill.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecordingServer, type RecordedRequest } from '@bbreporters/core/testing';
import { httpStatusPushDir, startService, tempDir, type RunningService } from './support/bbreporters-cli.js';
import { RedisServer } from './support/redis-server.js';

const fixture = (name: string) =>
  JSON.parse(readFileSync(join(httpStatusPushDir, name), 'utf8')) as Record<string, unknown>;
const started = fixture('pass.new.json');
const finished = fixture('pass.finished.json');

let redis: RedisServer;
let sink: RecordingServer;
const instances: Array<RunningService | undefined> = [];
let dir: string;

/** The config of instance `n`: its own state folder and port, the shared Redis, one http-status-push reporter. */
function configOf(n: number): string {
  const file = join(dir, `instance-${n}.yaml`);
  writeFileSync(
    file,
    [
      `stateDir: state-${n}`,
      `queue: { type: redis, url: "${redis.url}", instance: node-${n}, leaseMs: 3000 }`,
      'sources:',
      '  - { type: http, listen: "127.0.0.1:0" }',
      'reporters:',
      "  - plugin: '@bbreporters/http-status-push'",
      `    options: { serverUrl: '${sink.url}/push' }`,
      '    delivery: { timeoutMs: 2000, baseDelayMs: 100, maxDelayMs: 500, concurrency: 8 }',
      "  - plugin: '@bbreporters/github'",
      `    options: { token: gh-secret, baseURL: '${sink.url}/gh', builders: [gh] }`,
      '    delivery: { timeoutMs: 2000, baseDelayMs: 100, maxDelayMs: 300 }',
      "  - plugin: '@bbreporters/http-status-push'",
      '    name: limited',
      `    options: { serverUrl: '${sink.url}/limited', builders: [limited] }`,
      '    delivery: { timeoutMs: 2000, baseDelayMs: 100, maxDelayMs: 500 }',
      '',
    ].join('\n'),
  );
  return file;
}

async function startInstance(n: number): Promise<RunningService> {
  await instances[n]?.stop();
  const service = await startService(configOf(n), { cwd: dir });
  instances[n] = service;
  return service;
}

beforeAll(async () => {
  redis = await RedisServer.start();
  // Slow enough answers that sends are in flight when an instance is killed.
  sink = await RecordingServer.start(() => ({ status: 200, delayMs: 5 }));
  dir = tempDir();
  for (const n of [0, 1, 2]) await startInstance(n);
}, 60_000);

afterAll(async () => {
  for (const service of instances) await service?.stop();
  await sink?.close();
  await redis?.stop();
});

/** Posts `body` to instance `n`, or (refused: the instance is dead) to the next live one, like a load balancer. */
async function post(n: number, body: unknown): Promise<{ duplicate: boolean; instance: number }> {
  for (let tries = 0; tries < instances.length * 3; tries++) {
    const target = (n + tries) % instances.length;
    const service = instances[target];
    if (!service) continue;
    try {
      const answer = await fetch(service.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (answer.status !== 200)
        throw new Error(`instance ${target} answered ${answer.status}: ${await answer.text()}`);
      const result = (await answer.json()) as { duplicate?: boolean };
      return { duplicate: result.duplicate === true, instance: target };
    } catch (error) {
      if (String(error).includes('answered')) throw error;
      // Connection refused or reset: that instance is gone; the next one gets it.
    }
  }
  throw new Error('no instance took the event');
}

/** `started` then `finished` of build `id`, each to its own instance (the finished one only once the started one was answered). */
async function build(id: number, spread: number, twice = false): Promise<void> {
  await post(id % 3, { ...started, buildid: id, number: id });
  const body = { ...finished, buildid: id, number: id };
  if (twice) await Promise.all([post((id + spread) % 3, body), post((id + spread + 1) % 3, body)]);
  else await post((id + spread) % 3, body);
}

/** The sink's statuses for `path`: per build id, what arrived in arrival order. */
function arrivals(path: string, requests: readonly RecordedRequest[] = sink.requests): Map<number, string[]> {
  const perBuild = new Map<number, string[]>();
  for (const r of requests.filter((q) => q.url === path)) {
    const body = JSON.parse(r.body) as { buildid: number; complete: boolean };
    const list = perBuild.get(body.buildid) ?? [];
    list.push(body.complete ? 'finished' : 'started');
    perBuild.set(body.buildid, list);
  }
  return perBuild;
}

/** The instances' warnings and errors (for a failing test's message). */
function logs(): string {
  return instances
    .map(
      (s, n) =>
        `node-${n}:\n${(s?.stderr() ?? '(dead)')
          .split('\n')
          .filter((l) => /"level":[4-6]0/.test(l))
          .join('\n')}`,
    )
    .join('\n');
}

async function until(what: string, check: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline)
      throw new Error(
        `timed out waiting for ${what}\nredis:\n${redis
          .dump('*:[a-z]*[a-z]')
          .split('\n')
          .filter((l) => !/^bbr:(lane|event|settled):|:d[0-9a-f]{40}(-retry-\d+)? /.test(l))
          .join('\n')}\n${logs()}`,
      );
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Builds `from`…`to`-1 at `concurrency` at once; `during(done)` is called after each build. */
async function run(from: number, to: number, concurrency: number, during: (done: number) => Promise<void> | void) {
  let next = from;
  let done = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < to) {
        const id = next++;
        await build(id, 1, id % 10 === 0);
        await during(++done);
      }
    }),
  );
}

/** Waits until builds `from`…`to`-1 each have both statuses at the sink (requests from `since` on); else says which lack what, and what Redis has of their jobs. */
async function untilComplete(what: string, from: number, to: number, since = 0): Promise<void> {
  const received = () => arrivals('/push', sink.requests.slice(since));
  await until(what, () => tally(received(), from, to).complete === to - from, 60_000).catch((error: Error) => {
    const perBuild = received();
    const missing = Array.from({ length: to - from }, (_, i) => i + from).filter(
      (id) => (perBuild.get(id) ?? []).length < 2,
    );
    const shown = missing.map(
      (id) =>
        `build ${id} (${perBuild.get(id)?.join('+') ?? 'nothing'}):\n${redis.jobs('bbr:deliveries.http-status-push:d*', `"target":"build ${id}"`)}`,
    );
    throw new Error(`builds without both statuses:\n${shown.join('\n')}\n${error.message}`);
  });
}

function tally(perBuild: Map<number, string[]>, from: number, to: number) {
  let complete = 0;
  let twins = 0;
  let outOfOrder = 0;
  for (let id = from; id < to; id++) {
    const list = perBuild.get(id) ?? [];
    if (list.includes('started') && list.includes('finished')) complete++;
    twins += list.length - new Set(list).size;
    // Order per target: once a finished status arrived, no started one may follow.
    if (list.indexOf('finished') >= 0 && list.lastIndexOf('started') > list.indexOf('finished')) outOfOrder++;
  }
  return { complete, twins, outOfOrder };
}

describe('three instances on one Redis', () => {
  it('1,000 events over three instances, one killed with SIGKILL mid-run: every delivery arrives, in order per target', async () => {
    let killedAt = -1;
    let inFlightAtKill = 0;
    await run(1, 501, 12, async (done) => {
      if (done === 200 && instances[2]) {
        inFlightAtKill = sink.inFlight;
        instances[2].child.kill('SIGKILL');
        instances[2] = undefined;
        killedAt = Date.now();
      }
    });
    await untilComplete('every build started and finished at the sink', 1, 501);
    const counts = tally(arrivals('/push'), 1, 501);
    const posts = sink.requests.filter((r) => r.url === '/push').length;
    console.log(
      `scale-out: 1000 events (50 finished ones posted to two instances at once) over 3 instances, node-2 killed after 200 builds: ` +
        `${posts} POSTs at the sink for 1000 statuses, ${counts.complete}/500 builds complete, ${counts.twins} twins ` +
        `(sends in flight at the kill: ${inFlightAtKill}), ${counts.outOfOrder} out of order; last arrival ${Date.now() - killedAt} ms after the kill`,
    );
    expect(counts.outOfOrder).toBe(0);
    // At-least-once only for what the dead instance was sending (sent, not yet marked settled): at most its 8 send slots.
    expect(counts.twins).toBeLessThanOrEqual(8);
    expect(posts).toBe(1000 + counts.twins);
  }, 180_000);

  it('Redis restarted mid-run (and the killed instance back on its ledger): nothing is lost', async () => {
    await startInstance(2);
    const before = sink.requests.length;
    let restarted = false;
    await run(1001, 1151, 6, async (done) => {
      if (done === 50 && !restarted) {
        restarted = true;
        await redis.restart('SIGTERM');
      }
    });
    await untilComplete('every build started and finished after the Redis restart', 1001, 1151, before);
    const counts = tally(arrivals('/push', sink.requests.slice(before)), 1001, 1151);
    console.log(
      `scale-out: 300 events with a Redis restart after 50 builds: ${counts.complete}/150 builds complete, ${counts.twins} twins, ${counts.outOfOrder} out of order`,
    );
    expect(counts.outOfOrder).toBe(0);
  }, 120_000);

  it("a remote's 429 with Retry-After holds its origin for every instance", async () => {
    let limitedAt = 0;
    let limited = false;
    sink.answer((r) => {
      if (r.url !== '/limited' || limited) return { status: 200 };
      limited = true;
      return { status: 429, headers: { 'retry-after': '2' } };
    });
    await post(0, {
      ...finished,
      buildid: 5000,
      number: 5000,
      builder: { ...(finished.builder as object), name: 'limited' },
    });
    await until('the 429', () => limited, 10_000);
    limitedAt = sink.matching('POST', '/limited')[0].at;
    // Now the other instances queue deliveries to the same origin: none may be sent before the hold ends.
    for (const [i, n] of [1, 2, 0, 1].entries())
      await post(n, {
        ...finished,
        buildid: 5001 + i,
        number: 5001 + i,
        builder: { ...(finished.builder as object), name: 'limited' },
      });
    await until('all five at the limited endpoint', () => sink.matching('POST', '/limited').length >= 6, 20_000);
    const after = sink.matching('POST', '/limited').slice(1);
    const earliest = Math.min(...after.map((r) => r.at)) - limitedAt;
    console.log(
      `scale-out: 429 Retry-After: 2 from the origin; the next request from any instance came ${earliest} ms later`,
    );
    expect(earliest).toBeGreaterThanOrEqual(1900);
  }, 60_000);

  it('a pending status held in retry on one instance is superseded by success queued on another', async () => {
    const change = (name: string) => {
      const body = fixture(name) as Record<string, unknown> & {
        buildset: { sourcestamps: Array<Record<string, unknown>> };
      };
      body.buildset.sourcestamps = body.buildset.sourcestamps.map((s) => ({
        ...s,
        repository: 'https://github.com/o/r',
      }));
      return { ...body, buildid: 9000, number: 9000, builder: { ...(body.builder as object), name: 'gh' } };
    };
    const states = () => sink.matching('POST', /^\/gh\//).map((r) => (JSON.parse(r.body) as { state: string }).state);
    sink.answer((r) => (r.url.startsWith('/gh/') && r.body.includes('"pending"') ? { status: 503 } : { status: 201 }));
    await post(0, change('change-pass.new.json'));
    await until('the pending status failing twice', () => states().filter((s) => s === 'pending').length >= 2, 10_000);
    await post(1, change('change-pass.finished.json'));
    await until('the success status', () => states().includes('success'), 10_000);
    await new Promise((r) => setTimeout(r, 1500)); // time for a pending retry to land, were it not superseded
    const seen = states();
    console.log(`scale-out: supersede across instances: the remote saw ${seen.join(', ')}`);
    expect(seen.slice(seen.indexOf('success'))).toEqual(['success']);
  }, 60_000);

  it('an instance stops within seconds while Redis is away', async () => {
    await redis.halt('SIGTERM');
    try {
      const started = Date.now();
      const code = await instances[0]!.stop('SIGTERM');
      instances[0] = undefined;
      console.log(`scale-out: node-0 stopped ${Date.now() - started} ms after SIGTERM with Redis away (exit ${code})`);
      expect(Date.now() - started).toBeLessThan(20_000);
    } finally {
      await redis.run();
    }
  }, 60_000);
});
