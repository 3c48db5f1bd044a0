/**
 * The `buildbot` source against a real Buildbot 3.7 master with UserPasswordAuth (every endpoint
 * needs a login): logging in, reconnecting after a lost connection, and a restart of bbreporters
 * while builds finish. Builds that finish while the source is away are reported once.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BuildbotSource, Runtime, Service, isBbrError, loadConfig } from '@bbreporters/core';
import { BuildbotMaster, freePort } from './support/buildbot/buildbot.js';
import { buildEvents, readRecorded, waitForRecorded, type Recorded } from './support/buildbot/recorded.js';
import { TcpProxy } from './support/buildbot/tcp-proxy.js';

const pluginsDir = new URL('./fixtures/plugins/', import.meta.url).pathname;
const quiet = { write: () => {} };
const alice = { user: 'alice', password: 'alice-s3cret' };

let bb: BuildbotMaster;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bbr-e2e-buildbot-auth-'));
  bb = await BuildbotMaster.start({ users: { [alice.user]: alice.password }, slowSeconds: 3, missingTimeout: 3600 });
});

afterAll(async () => {
  await bb?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A runtime with the event-file reporter fed by a buildbot source; closes both. */
async function startReporting(options: { url: string; file: string; stateFile?: string }) {
  const source = new BuildbotSource({
    url: options.url,
    ...alice,
    reconnectDelayMs: 100,
    reconnectMaxDelayMs: 800,
    ...(options.stateFile ? { stateFile: options.stateFile } : {}),
  });
  const runtime = await Runtime.start({
    configDir: pluginsDir,
    logDestination: quiet,
    master: source.master,
    enricher: source.enricher,
    reporters: [{ plugin: './event-file', options: { file: options.file } }],
  });
  await source.start((input) => runtime.emit(input));
  return {
    source,
    async close() {
      await source.close();
      await runtime.close(1000);
    },
  };
}

async function buildIdsOf(bsid: number): Promise<number[]> {
  await bb.waitFor(
    async () => {
      const { builds } = (await bb.get(`/builds`)) as { builds: Array<{ buildrequestid: number }> };
      const { buildrequests } = (await bb.get(`/buildrequests?buildsetid=${bsid}`)) as {
        buildrequests: Array<{ buildrequestid: number }>;
      };
      return (
        buildrequests.length > 0 &&
        buildrequests.every((r) => builds.some((b) => b.buildrequestid === r.buildrequestid))
      );
    },
    30_000,
    `the builds of buildset ${bsid}`,
  );
  const { buildrequests } = (await bb.get(`/buildrequests?buildsetid=${bsid}`)) as {
    buildrequests: Array<{ buildrequestid: number }>;
  };
  const { builds } = (await bb.get('/builds')) as { builds: Array<{ buildid: number; buildrequestid: number }> };
  return builds.filter((b) => buildrequests.some((r) => r.buildrequestid === b.buildrequestid)).map((b) => b.buildid);
}

const count = (records: Recorded[], id: string) => records.filter((r) => r.event.id === id).length;

describe('a master with UserPasswordAuth', () => {
  it('refuses a source without credentials or with a wrong password, with an error that names the problem and not the password', async () => {
    const anonymous = new BuildbotSource({ url: bb.url });
    const error = await anonymous
      .start(async () => ({}) as never)
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(isBbrError(error) && error.code).toBe('BBR_BUILDBOT_AUTH');
    expect(String((error as Error).message)).toMatch(/refused \(403.*set user and password/);

    const wrong = new BuildbotSource({ url: bb.url, user: 'alice', password: 'not-her-password' });
    const error2 = await wrong
      .start(async () => ({}) as never)
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(isBbrError(error2) && error2.code).toBe('BBR_BUILDBOT_AUTH');
    expect((error2 as Error).message).toContain('logging in as "alice"');
    expect((error2 as Error).message).toContain('wrong user or password');
    expect((error2 as Error).message).not.toContain('not-her-password');
  });

  it('with user and password the source logs in and reports builds with their properties', async () => {
    const file = join(dir, 'login.jsonl');
    const reporting = await startReporting({ url: bb.url, file });
    try {
      const { bsid } = await bb.force(['props'], 'with a login');
      const [buildid] = await buildIdsOf(bsid);
      const records = await waitForRecorded(
        file,
        (r) => buildEvents(r, buildid).length === 2,
        30_000,
        'the props build',
      );
      const finished = buildEvents(records, buildid)[1].event.payload;
      expect(finished.properties.e2e_answer).toEqual([42, 'set answer']);
      expect(finished.properties.owner[0]).toBe('alice');
      expect(finished.blamelist).toEqual(['alice']);
      // Control calls go through the same session.
      const { buildsetId } = await reporting.source.master.forceBuild({
        builder: 'pass',
        reason: 'forced with a session',
      });
      expect(buildsetId).toBeGreaterThan(bsid);
      await waitForRecorded(
        file,
        (r) => r.some((x) => x.hook === 'buildsetFinished' && x.event.payload.buildset.bsid === buildsetId),
        30_000,
        'the forced buildset',
      );
    } finally {
      await reporting.close();
    }
  });
});

describe('the http source with buildbotAPI credentials', () => {
  it('enriches an HttpStatusPush body over the REST API of a master that needs a login', async () => {
    const port = await freePort();
    const file = join(dir, 'http-enriched.jsonl');
    const config = join(dir, 'http-enriched.yaml');
    writeFileSync(
      config,
      [
        `buildbotURL: ${bb.url}`,
        `buildbotAPI: { user: ${alice.user}, password: ${alice.password} }`,
        `stateDir: ${join(dir, 'http-state')}`,
        'sources:',
        `  - { type: http, listen: "127.0.0.1:${port}" }`,
        'reporters:',
        `  - { plugin: ${join(pluginsDir, 'event-file')}, options: { file: ${file} } }`,
      ].join('\n'),
    );
    const service = await Service.start(loadConfig(config), { logDestination: quiet });
    try {
      const { bsid } = await bb.force(['warn'], 'pushed by hand');
      const [buildid] = await buildIdsOf(bsid);
      await bb.waitIdle();
      // What 3.7's default HttpStatusPush posts: the build with builder and url, no steps, no prev_build.
      const { builds } = (await bb.get(`/builds/${buildid}?property=*`)) as { builds: Array<Record<string, unknown>> };
      const { builders } = (await bb.get(`/builders/${builds[0].builderid}`)) as { builders: unknown[] };
      const body = {
        ...builds[0],
        builder: builders[0],
        url: `${bb.url}#builders/${builds[0].builderid}/builds/${builds[0].number}`,
      };
      const response = await fetch(`http://127.0.0.1:${port}/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(response.status).toBeLessThan(300);
      const records = await waitForRecorded(file, (r) => r.length === 1, 10_000, 'the pushed build');
      const payload = records[0].event.payload;
      expect(records[0].hook).toBe('buildFinished');
      expect(payload.steps.map((s: { name: string }) => s.name)).toEqual([
        'worker_preparation',
        'compile',
        'soft-fail',
      ]);
      expect(payload.steps[1].logs.find((l: { name: string }) => l.name === 'warnings (2)').content).toContain(
        'warning: unused variable x',
      );
      expect(payload).toHaveProperty('prev_build');
      expect(payload.blamelist).toEqual(['alice']);
    } finally {
      await service.stop(1000);
    }
  });
});

describe('connection loss and restarts', () => {
  it('after a lost connection it reconnects and reports the builds that finished meanwhile, each once', async () => {
    const proxy = await TcpProxy.start(bb.httpPort);
    const file = join(dir, 'reconnect.jsonl');
    const reporting = await startReporting({ url: proxy.url, file });
    try {
      // One build runs across the cut; two more start and finish while the source is away.
      const slow = await bb.force(['slow'], 'across the cut');
      const [slowId] = await buildIdsOf(slow.bsid);
      await waitForRecorded(file, (r) => buildEvents(r, slowId).length === 1, 30_000, 'the slow build to start');
      proxy.cut();
      const during = await bb.force(['pass', 'fail'], 'while cut off');
      const duringIds = await buildIdsOf(during.bsid);
      await bb.waitIdle();
      expect(readRecorded(file).some((r) => r.event.id === `buildFinished:${slowId}`)).toBe(false);
      proxy.restore();

      const records = await waitForRecorded(
        file,
        (r) =>
          [slowId, ...duringIds].every((id) => count(r, `buildFinished:${id}`) === 1) &&
          count(r, `buildsetFinished:${during.bsid}`) === 1,
        30_000,
        'the catch-up after the reconnect',
      );
      for (const id of duringIds) {
        const finished = records.find((r) => r.event.id === `buildFinished:${id}`)!.event.payload;
        expect(finished.builder.name).toMatch(/^(pass|fail)$/);
        expect(finished.steps.length).toBeGreaterThan(0);
      }
      expect(
        records.find((r) => r.event.id === `buildsetFinished:${during.bsid}`)!.event.payload.buildset.results,
      ).toBe(2);
      // Live again: a new build arrives over the websocket.
      const after = await bb.force(['pass'], 'after the reconnect');
      const [afterId] = await buildIdsOf(after.bsid);
      const final = await waitForRecorded(
        file,
        (r) => count(r, `buildFinished:${afterId}`) === 1,
        30_000,
        'a build after the reconnect',
      );
      const ids = final.map((r) => r.event.id);
      expect(new Set(ids).size).toBe(ids.length);
    } finally {
      await reporting.close();
      await proxy.close();
    }
  });

  it('restarting bbreporters while builds finish reports each build once', async () => {
    const file = join(dir, 'restart.jsonl');
    const stateFile = join(dir, 'restart-state', 'buildbot.json');
    const first = await startReporting({ url: bb.url, file, stateFile });
    const slow = await bb.force(['slow'], 'finishes while bbreporters is down');
    const [slowId] = await buildIdsOf(slow.bsid);
    await waitForRecorded(file, (r) => count(r, `buildStarted:${slowId}`) === 1, 30_000, 'the slow build to start');
    await first.close();

    const down = await bb.force(['pass', 'warn'], 'while bbreporters is down');
    const downIds = await buildIdsOf(down.bsid);
    await bb.waitIdle();

    const second = await startReporting({ url: bb.url, file, stateFile });
    try {
      const records = await waitForRecorded(
        file,
        (r) =>
          [slowId, ...downIds].every((id) => count(r, `buildFinished:${id}`) === 1) &&
          count(r, `buildsetFinished:${down.bsid}`) === 1 &&
          count(r, `buildsetFinished:${slow.bsid}`) === 1,
        30_000,
        'the builds that finished while bbreporters was down',
      );
      // A little later still nothing came twice.
      await new Promise((r) => setTimeout(r, 500));
      const ids = readRecorded(file).map((r) => r.event.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(count(records, `buildStarted:${slowId}`)).toBe(1);
      // A build that ran entirely while bbreporters was down is reported started, then finished, as live.
      for (const id of downIds)
        expect(buildEvents(records, id).map((r) => r.event.id)).toEqual([`buildStarted:${id}`, `buildFinished:${id}`]);
      expect(records.find((r) => r.event.id === `buildFinished:${slowId}`)!.event.payload.results).toBe(0);
    } finally {
      await second.close();
    }
  });
});
