/**
 * The `buildbot` source and MasterControl against a real Buildbot 3.7 master and worker: builds
 * that pass, fail, warn and are cancelled, a buildset of three, a worker that goes missing.
 * One master for the whole file; reporters: console, the event-file test reporter, and the real
 * http-status-push delivering to a loopback remote that notes when each finished build arrives.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BuildbotSource, Runtime, type QueuedDelivery } from '@bbreporters/core';
import { BuildbotMaster } from './support/buildbot/buildbot.js';
import {
  buildEvents,
  FinishedClock,
  readRecorded,
  waitForRecorded,
  type Recorded,
} from './support/buildbot/recorded.js';

const pluginsDir = new URL('./fixtures/plugins/', import.meta.url).pathname;
const quiet = { write: () => {} };

let bb: BuildbotMaster;
let dir: string;
let eventsFile: string;
let source: BuildbotSource;
let runtime: Runtime;
let clock: FinishedClock;
const consoleLines: string[] = [];
/** When each finished build's HttpStatusPush body reached the remote (ms, Date.now()), by build id. */
const deliveredAt = new Map<number, number>();
let remote: Server;

/** The remote of http-status-push: notes when each finished build's body arrives. */
async function startRemote(): Promise<string> {
  remote = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { buildid: number; complete?: boolean };
      if (body.complete) deliveredAt.set(body.buildid, Date.now());
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => remote.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(remote.address() as AddressInfo).port}/hook`;
}

/** The value below which `share` of the sorted `values` lie (nearest rank). */
const percentile = (values: number[], share: number) =>
  [...values].sort((a, b) => a - b)[Math.max(0, Math.ceil(share * values.length) - 1)];

/** The build ids of a forced buildset, by builder name. */
async function buildsOf(bsid: number): Promise<Record<string, number>> {
  await bb.waitFor(
    async () => {
      const { buildrequests } = (await bb.get(`/buildrequests?buildsetid=${bsid}`)) as {
        buildrequests: Array<{ claimed: boolean }>;
      };
      return buildrequests.length > 0 && buildrequests.every((r) => r.claimed);
    },
    30_000,
    `the build requests of buildset ${bsid} to be claimed`,
  );
  const { buildrequests } = (await bb.get(`/buildrequests?buildsetid=${bsid}`)) as {
    buildrequests: Array<{ buildrequestid: number; builderid: number }>;
  };
  const out: Record<string, number> = {};
  for (const r of buildrequests) {
    await bb.waitFor(
      async () =>
        ((await bb.get(`/builds?buildrequestid=${r.buildrequestid}`)) as { builds: unknown[] }).builds.length > 0,
      30_000,
      'the build to start',
    );
    const { builds } = (await bb.get(`/builds?buildrequestid=${r.buildrequestid}`)) as {
      builds: Array<{ buildid: number }>;
    };
    const { builders } = (await bb.get(`/builders/${r.builderid}`)) as { builders: Array<{ name: string }> };
    out[builders[0].name] = builds[0].buildid;
  }
  return out;
}

const finishedOf = (buildid: number) => (records: Recorded[]) =>
  buildEvents(records, buildid).some((r) => r.hook === 'buildFinished');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bbr-e2e-buildbot-'));
  eventsFile = join(dir, 'events.jsonl');
  bb = await BuildbotMaster.start({ missingTimeout: 8, slowSeconds: 20 });
  clock = await FinishedClock.open(bb.url);
  source = new BuildbotSource({ url: bb.url, stateFile: join(dir, 'state', 'buildbot.json') });
  runtime = await Runtime.start({
    configDir: pluginsDir,
    logDestination: quiet,
    buildbotURL: bb.url,
    master: source.master,
    enricher: source.enricher,
    reporters: [
      { plugin: 'console', options: { stream: 'stderr' } },
      { plugin: './event-file', options: { file: eventsFile } },
      { plugin: '@bbreporters/http-status-push', name: 'push', options: { serverUrl: await startRemote() } },
    ],
  });
  runtime.onDelivery((outcome, delivery: QueuedDelivery) => {
    if (delivery.reporter === 'console' && outcome.status === 'sent')
      consoleLines.push((delivery.payload as { line: string }).line);
  });
  await source.start((input) => runtime.emit(input));
});

afterAll(async () => {
  await source?.close();
  await runtime?.close(1000);
  clock?.close();
  remote?.close();
  await bb?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('the buildbot source against a real Buildbot 3.7 master', () => {
  it('builds that pass, fail and warn each give started then finished, enriched with what the reporters need', async () => {
    const forced = await Promise.all(['pass', 'fail', 'warn'].map((b) => bb.force([b], `scenario ${b}`)));
    const ids = Object.assign({}, ...(await Promise.all(forced.map((f) => buildsOf(f.bsid))))) as Record<
      string,
      number
    >;
    const records = await waitForRecorded(
      eventsFile,
      (r) => Object.values(ids).every((id) => finishedOf(id)(r)),
      30_000,
      'pass, fail and warn to finish',
    );

    for (const [builder, results] of [
      ['pass', 0],
      ['fail', 2],
      ['warn', 1],
    ] as const) {
      const events = buildEvents(records, ids[builder]);
      expect(events.map((e) => e.hook)).toEqual(['buildStarted', 'buildFinished']);
      const finished = events[1].event.payload;
      expect(finished.results).toBe(results);
      expect(finished.builder.name).toBe(builder);
      expect(finished.url).toBe(`${bb.url}#builders/${finished.builderid}/builds/${finished.number}`);
      expect(finished.buildset.reason).toContain(`scenario ${builder}`);
      expect(finished.buildrequest.buildrequestid).toBe(finished.buildrequestid);
      // The websocket's builds/* messages carry empty properties: these come from REST.
      expect(finished.properties.buildername).toEqual([builder, 'Builder']);
      expect(finished.properties.e2e_builder_prop).toEqual([builder, 'Builder']);
      expect(finished.steps.map((s: { name: string }) => s.name)[0]).toBe('worker_preparation');
      expect(finished.prev_build).toBeNull();
      expect(finished.changes).toEqual([]);
      expect(Array.isArray(finished.blamelist)).toBe(true);
    }
    const warn = buildEvents(records, ids.warn)[1].event.payload;
    const compile = warn.steps.find((s: { name: string }) => s.name === 'compile');
    const warnings = compile.logs.find((l: { name: string }) => l.name === 'warnings (2)');
    expect(warnings.content).toContain('src/foo.c:12: warning: unused variable x');
    expect(consoleLines.some((l) => l.includes('fail'))).toBe(true);
  });

  it('a second build of a builder carries the first as prev_build', async () => {
    const { bsid } = await bb.force(['pass'], 'second pass');
    const { pass } = await buildsOf(bsid);
    const records = await waitForRecorded(eventsFile, finishedOf(pass));
    const finished = buildEvents(records, pass)[1].event.payload;
    expect(finished.prev_build.builderid).toBe(finished.builderid);
    expect(finished.prev_build.number).toBe(finished.number - 1);
    expect(finished.prev_build.results).toBe(0);
  });

  it('a buildset of three gives buildsetFinished with the worst result, after each build finished', async () => {
    const { bsid } = await bb.force(['pass', 'fail', 'warn'], 'three at once');
    const records = await waitForRecorded(
      eventsFile,
      (r) => r.some((x) => x.hook === 'buildsetFinished' && x.event.payload.buildset.bsid === bsid),
      30_000,
      `buildsetFinished ${bsid}`,
    );
    const index = records.findIndex((x) => x.hook === 'buildsetFinished' && x.event.payload.buildset.bsid === bsid);
    const { buildset, builds } = records[index].event.payload;
    expect(buildset.complete).toBe(true);
    expect(buildset.results).toBe(2);
    expect(buildset.scheduler).toBe('force');
    expect(builds.map((b: { builder: { name: string } }) => b.builder.name).sort()).toEqual(['fail', 'pass', 'warn']);
    for (const build of builds) {
      // Inside a buildsetFinished the builds carry the completed buildset, not the "-1" one of their own events.
      expect(build.buildset.complete).toBe(true);
      expect(build.steps.length).toBeGreaterThan(0);
      const finishedAt = records.findIndex(
        (x) => x.hook === 'buildFinished' && x.event.payload.buildid === build.buildid,
      );
      expect(finishedAt).toBeGreaterThanOrEqual(0);
      expect(finishedAt).toBeLessThan(index);
    }
    expect(records.filter((x) => x.event.id === `buildsetFinished:${bsid}`)).toHaveLength(1);
  });

  it('a build started by a change carries the change and its author in the blamelist', async () => {
    await bb.change({
      author: 'Dora Dev <dora@example.test>',
      comments: 'fix the widget',
      branch: 'main',
      revision: 'c0ffee1234',
      repository: 'https://git.example.test/widgets.git',
      project: 'widgets',
    });
    const records = await waitForRecorded(
      eventsFile,
      (r) => r.filter((x) => x.hook === 'buildFinished' && x.event.payload.changes?.length).length === 2,
      30_000,
      'the two builds of the change',
    );
    const finished = records
      .filter((x) => x.hook === 'buildFinished' && x.event.payload.changes?.length)
      .map((x) => x.event.payload);
    expect(finished.map((b) => b.builder.name).sort()).toEqual(['fail', 'pass']);
    for (const build of finished) {
      expect(build.changes.map((c: { author: string; revision: string }) => [c.author, c.revision])).toEqual([
        ['Dora Dev <dora@example.test>', 'c0ffee1234'],
      ]);
      expect(build.blamelist).toEqual(['Dora Dev <dora@example.test>']);
      expect(build.buildset.sourcestamps[0]).toMatchObject({
        branch: 'main',
        revision: 'c0ffee1234',
        repository: 'https://git.example.test/widgets.git',
      });
    }
  });

  it('a triggered build carries its parent build and builder', async () => {
    const { bsid } = await bb.force(['fanout'], 'trigger a child');
    const { fanout } = await buildsOf(bsid);
    const records = await waitForRecorded(
      eventsFile,
      (r) =>
        finishedOf(fanout)(r) &&
        r.some((x) => x.hook === 'buildFinished' && x.event.payload.buildset?.parent_buildid === fanout),
      30_000,
      'the fanout build and its child',
    );
    const child = records.find(
      (x) => x.hook === 'buildFinished' && x.event.payload.buildset?.parent_buildid === fanout,
    )!.event.payload;
    expect(child.builder.name).toBe('pass');
    expect(child.parentbuild.buildid).toBe(fanout);
    expect(child.parentbuilder.name).toBe('fanout');
    expect(buildEvents(records, fanout)[1].event.payload.parentbuild).toBeUndefined();
  });

  it('the never-started ghost worker gives workerMissing with its notify list', async () => {
    const records = await waitForRecorded(
      eventsFile,
      (r) => r.some((x) => x.hook === 'workerMissing'),
      30_000,
      'workerMissing',
    );
    const missing = records.filter((x) => x.hook === 'workerMissing');
    expect(missing).toHaveLength(1);
    expect(missing[0].event.payload.worker.name).toBe('ghost-worker');
    expect(missing[0].event.payload.worker.notify).toEqual(['ops@example.test']);
    expect(missing[0].event.payload.worker.last_connection).toEqual(expect.any(String));
  });

  it('no event reaches a reporter twice', () => {
    const ids = readRecorded(eventsFile).map((r) => r.event.id);
    expect(ids.length).toBeGreaterThan(0);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('finished builds reach the hooks within a fraction of a second of leaving the master', () => {
    const latencies = readRecorded(eventsFile)
      .filter((r) => r.hook === 'buildFinished' && clock.finishedAt.has(r.event.payload.buildid))
      .map((r) => ({
        fromFrame: r.at - clock.finishedAt.get(r.event.payload.buildid)!,
        fromCompleteAt: r.at - r.event.payload.complete_at * 1000,
      }));
    expect(latencies.length).toBeGreaterThan(3);
    const max = Math.max(...latencies.map((l) => l.fromFrame));
    console.info(
      `latency complete → hook: frame→hook ms ${JSON.stringify(latencies.map((l) => l.fromFrame))}; complete_at(s)→hook ms ${JSON.stringify(latencies.map((l) => l.fromCompleteAt))}`,
    );
    expect(max).toBeLessThan(3000);
  });

  it('finished builds reach a remote (http-status-push) within a fraction of a second of leaving the master', async () => {
    const finished = [...clock.finishedAt.keys()];
    await expect
      .poll(() => finished.filter((id) => deliveredAt.has(id)).length, { timeout: 10_000 })
      .toBe(finished.length);
    const latencies = finished.map((id) => deliveredAt.get(id)! - clock.finishedAt.get(id)!);
    expect(latencies.length).toBeGreaterThan(3);
    // bench/buildbot-latency.mjs reads this line.
    console.info(
      `latency master's builds/N/finished → delivery at the remote: p50 ${percentile(latencies, 0.5)} ms, p99 ${percentile(latencies, 0.99)} ms, n=${latencies.length} ${JSON.stringify(latencies)}`,
    );
    expect(Math.max(...latencies)).toBeLessThan(3000);
  });
});

describe('MasterControl over REST', () => {
  it('lists builders, answers builder status and last build', async () => {
    const master = source.master;
    expect((await master.builders()).map((b) => b.name).sort()).toEqual([
      'fail',
      'fanout',
      'pass',
      'props',
      'slow',
      'warn',
    ]);
    const status = await master.builderStatus('pass');
    expect(status?.state).toBe('idle');
    expect(status?.running).toEqual([]);
    expect(await master.builderStatus('no-such-builder')).toBeUndefined();
    const last = await master.lastBuild('pass');
    expect(last?.complete).toBe(true);
    expect(last?.properties?.buildername?.[0]).toBe('pass');
  });

  it('force starts a real build and stop cancels it; shutdown is not available', async () => {
    const master = source.master;
    const { buildsetId } = await master.forceBuild({
      builder: 'slow',
      reason: 'forced through MasterControl',
      owner: 'carol <carol@example.test>',
    });
    const { slow } = await buildsOf(buildsetId);
    await waitForRecorded(
      eventsFile,
      (r) => buildEvents(r, slow).some((x) => x.hook === 'buildStarted'),
      30_000,
      'the forced slow build to start',
    );
    expect((await master.builderStatus('slow'))?.state).toBe('building');
    expect(await master.stopBuild({ builder: 'slow', reason: 'stopped through MasterControl' })).toEqual({
      stopped: 1,
    });
    const records = await waitForRecorded(eventsFile, finishedOf(slow), 30_000, 'the stopped build to finish');
    const finished = buildEvents(records, slow).find((x) => x.hook === 'buildFinished')!.event.payload;
    expect(finished.results).toBe(6);
    expect(finished.buildset.reason).toContain('forced through MasterControl');
    expect(finished.properties.owner[0]).toBe('carol <carol@example.test>');
    expect(finished.blamelist).toContain('carol <carol@example.test>');
    expect('shutdown' in master).toBe(false);
    await expect(master.forceBuild({ builder: 'nope' })).rejects.toThrow(/no force scheduler lists builder "nope"/);
  });
});
