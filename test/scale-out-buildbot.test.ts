/**
 * The Buildbot follower in the Redis mode, live: three `bbreporters run` processes on one real
 * redis-server, each with a `buildbot` source on the same real Buildbot 3.7 master and the
 * event-file test reporter (its own file). One instance follows the master; it is killed
 * (SIGKILL) while a build runs and while others start and finish; another takes over within
 * 15 s (default leaseMs) from the cursor in Redis, catches up over REST, and every build the
 * master ran is reported exactly once across the instances.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixturePlugins, startService, type RunningService } from './support/bbreporters-cli.js';
import { BuildbotMaster, freePort } from './support/buildbot/buildbot.js';
import { readRecorded, type Recorded } from './support/buildbot/recorded.js';
import { RedisServer } from './support/redis-server.js';

const FOLLOWING = 'following: this instance runs the source';

let dir: string;
let redis: RedisServer;
let bb: BuildbotMaster;
const instances: Array<{ name: string; service: RunningService; events: string; killed?: boolean }> = [];

async function startInstance(name: string): Promise<void> {
  const events = join(dir, `events-${name}.jsonl`);
  const config = join(dir, `${name}.yaml`);
  writeFileSync(
    config,
    [
      `stateDir: ${join(dir, `state-${name}`)}`,
      `queue: { type: redis, url: "${redis.url}", instance: ${name} }`,
      'sources:',
      `  - { type: http, listen: "127.0.0.1:${await freePort()}" }`,
      `  - { type: buildbot, url: "${bb.url}", reconnectDelay: 100 }`,
      'reporters:',
      `  - { plugin: ${join(fixturePlugins, 'event-file')}, options: { file: ${events} } }`,
    ].join('\n'),
  );
  instances.push({ name, service: await startService(config), events });
}

const alive = () => instances.filter((i) => !i.killed);
const leaders = () => alive().filter((i) => i.service.stderr().includes(FOLLOWING));
const allRecords = (): Recorded[] => instances.flatMap((i) => readRecorded(i.events));

async function until<T>(check: () => T | undefined | false | Promise<T | undefined | false>, ms: number, what: string) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function buildIdsOf(bsid: number): Promise<number[]> {
  const { buildrequests } = (await bb.get(`/buildrequests?buildsetid=${bsid}`)) as {
    buildrequests: Array<{ buildrequestid: number }>;
  };
  const ids: number[] = [];
  for (const r of buildrequests) {
    const { builds } = (await bb.get(`/builds?buildrequestid=${r.buildrequestid}`)) as {
      builds: Array<{ buildid: number }>;
    };
    ids.push(...builds.map((b) => b.buildid));
  }
  return ids;
}

/** The buildset's build ids once it has any. */
const startedBuilds = async (bsid: number) => {
  const ids = await buildIdsOf(bsid);
  return ids.length ? ids : undefined;
};

const has = (hook: Recorded['hook'], id: number) => (r: Recorded) =>
  r.hook === hook && (hook === 'buildsetFinished' ? r.event.payload.buildset.bsid : r.event.payload.buildid) === id;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bbr-scale-out-buildbot-'));
  redis = await RedisServer.start();
  bb = await BuildbotMaster.start({ slowSeconds: 6 });
  for (const name of ['i1', 'i2', 'i3']) await startInstance(name);
}, 120_000);

afterAll(async () => {
  await Promise.allSettled(alive().map((i) => i.service.stop()));
  await bb?.stop();
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe('the Buildbot follower on one instance of three, on Redis', () => {
  it('one instance follows; after a SIGKILL another takes over within 15 s, and every build is reported once', async () => {
    const [leader] = await until(() => leaders().length > 0 && leaders(), 15_000, 'an instance to follow');
    // Only one follows, and the others stay standing by.
    await new Promise((r) => setTimeout(r, 1000));
    expect(leaders().map((i) => i.name)).toEqual([leader!.name]);

    const quick = await bb.force(['pass'], 'before the kill');
    const [quickBuild] = await until(() => startedBuilds(quick.bsid), 30_000, 'the build');
    await until(() => allRecords().some(has('buildsetFinished', quick.bsid)), 30_000, 'the first buildset');
    expect(readRecorded(leader!.events).some(has('buildFinished', quickBuild!))).toBe(true);

    // The leader dies while a build runs: its start reported, its finish still to come.
    const slow = await bb.force(['slow'], 'running at the kill');
    const [slowBuild] = await until(() => startedBuilds(slow.bsid), 30_000, 'the slow build');
    await until(() => allRecords().some(has('buildStarted', slowBuild!)), 30_000, 'the slow build to start');
    await new Promise((r) => setTimeout(r, 200));
    leader!.killed = true;
    const killedAt = Date.now();
    await leader!.service.stop('SIGKILL');
    // A build that starts and finishes while nobody follows.
    const meanwhile = await bb.force(['pass'], 'while nobody follows');

    const [next] = await until(() => leaders().length > 0 && leaders(), 20_000, 'another instance to follow');
    const takeoverMs = Date.now() - killedAt;
    const [meanwhileBuild] = await buildIdsOf(meanwhile.bsid);
    const caughtUp = await until(
      () => allRecords().some(has('buildFinished', meanwhileBuild!)) && Date.now() - killedAt,
      30_000,
      'the build run meanwhile to be reported',
    );
    console.log(
      `takeover: ${next!.name} follows ${takeoverMs} ms after ${leader!.name} was killed (leaseMs 10000); the build run meanwhile reported after ${caughtUp} ms`,
    );
    expect(takeoverMs).toBeLessThanOrEqual(15_000);
    expect(leaders().map((i) => i.name)).toEqual([next!.name]);

    // Followed live by the new leader.
    const after = await bb.force(['pass'], 'after the takeover');
    await bb.waitIdle();
    const bsids = [quick.bsid, slow.bsid, meanwhile.bsid, after.bsid];
    await until(
      () => bsids.every((bsid) => allRecords().some(has('buildsetFinished', bsid))),
      30_000,
      'every buildset',
    );
    await new Promise((r) => setTimeout(r, 1000)); // a twin would show by now

    const { builds } = (await bb.get('/builds')) as { builds: Array<{ buildid: number }> };
    const records = allRecords();
    const counts = Object.fromEntries(
      builds.map(({ buildid }) => [
        buildid,
        {
          started: records.filter(has('buildStarted', buildid)).length,
          finished: records.filter(has('buildFinished', buildid)).length,
        },
      ]),
    );
    const buildsets = Object.fromEntries(
      bsids.map((bsid) => [bsid, records.filter(has('buildsetFinished', bsid)).length]),
    );
    console.log('reports per build id:', JSON.stringify(counts), 'per buildset:', JSON.stringify(buildsets));
    expect(builds.length).toBe(4);
    for (const count of Object.values(counts)) expect(count).toEqual({ started: 1, finished: 1 });
    for (const count of Object.values(buildsets)) expect(count).toBe(1);
    // Who reported what: the killed leader before the kill, the new one after; the third nothing.
    const byInstance = Object.fromEntries(instances.map((i) => [i.name, readRecorded(i.events).length]));
    console.log('events recorded per instance:', JSON.stringify(byInstance));
    const standby = instances.find((i) => i !== leader && i !== next)!;
    expect(readRecorded(standby.events).filter((r) => r.hook !== 'workerMissing')).toEqual([]);

    // Metrics: the follower says so, the other one does not.
    const leaderGauge = async (i: (typeof instances)[number]) =>
      (await (await fetch(new URL('/metrics', i.service.url))).text()).match(
        /^bbreporters_source_leader\{source="buildbot"\} (\d)/m,
      )?.[1];
    expect(await leaderGauge(next!)).toBe('1');
    expect(await leaderGauge(standby)).toBe('0');
  }, 180_000);
});
