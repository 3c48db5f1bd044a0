/**
 * A real Buildbot 3.7 master's own HttpStatusPush → our `http` source, in 3.7's default
 * configuration and in the one with every mode and want_properties/want_steps; and the `run`
 * service wiring: a config with `buildbotURL` enriches HttpStatusPush events over REST, and a
 * config with a `buildbot` source reports from the websocket.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpSource, Runtime, Service, loadConfig } from '@bbreporters/core';
import { BuildbotMaster, freePort } from './support/buildbot/buildbot.js';
import { buildEvents, waitForRecorded } from './support/buildbot/recorded.js';

const pluginsDir = new URL('./fixtures/plugins/', import.meta.url).pathname;
const quiet = { write: () => {} };
const silent = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, fatal() {}, child: () => silent };

let bb: BuildbotMaster;
let dir: string;
const files = { defaultPush: '', allPush: '', websocket: '', basicPush: '', wrongPush: '' };
let pushService: Service;
let websocketService: Service;
let allRuntime: Runtime;
let allSource: HttpSource;
/** Sources that require HTTP Basic (buildbot / s3cret): one the master posts to with the right password, one with a wrong one. */
const basic: Array<{ runtime: Runtime; source: HttpSource }> = [];

function writeConfig(name: string, body: string): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, body);
  return file;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bbr-e2e-push-'));
  files.defaultPush = join(dir, 'default-push.jsonl');
  files.allPush = join(dir, 'all-push.jsonl');
  files.websocket = join(dir, 'websocket.jsonl');
  files.basicPush = join(dir, 'basic-push.jsonl');
  files.wrongPush = join(dir, 'wrong-push.jsonl');
  const [defaultPort, allPort, basicPort, wrongPort] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  bb = await BuildbotMaster.start({
    missingTimeout: 3600,
    push: [
      { url: `http://127.0.0.1:${defaultPort}/buildbot`, style: 'default' },
      { url: `http://127.0.0.1:${allPort}/buildbot`, style: 'all' },
      { url: `http://127.0.0.1:${basicPort}/buildbot`, style: 'default', user: 'buildbot', password: 's3cret' },
      {
        url: `http://127.0.0.1:${wrongPort}/buildbot`,
        style: 'default',
        user: 'buildbot',
        password: 'not-the-password',
      },
    ],
  });
  const eventFile = join(pluginsDir, 'event-file');
  // `run` with an http source and buildbotURL: HttpStatusPush bodies enriched over REST.
  pushService = await Service.start(
    loadConfig(
      writeConfig(
        'push',
        [
          `buildbotURL: ${bb.url}`,
          `stateDir: ${join(dir, 'push-state')}`,
          'sources:',
          `  - { type: http, listen: "127.0.0.1:${defaultPort}", path: /buildbot }`,
          'reporters:',
          `  - { plugin: ${eventFile}, options: { file: ${files.defaultPush} } }`,
        ].join('\n'),
      ),
    ),
    { logDestination: quiet },
  );
  // `run` with a buildbot source.
  websocketService = await Service.start(
    loadConfig(
      writeConfig(
        'websocket',
        [
          `stateDir: ${join(dir, 'websocket-state')}`,
          'sources:',
          `  - { type: buildbot, url: "${bb.url}", reconnectDelay: 100 }`,
          'reporters:',
          `  - { plugin: ${eventFile}, options: { file: ${files.websocket} } }`,
        ].join('\n'),
      ),
    ),
    { logDestination: quiet },
  );
  // The library with the all-modes push and no enrichment: what the body carries, nothing more.
  allRuntime = await Runtime.start({
    configDir: pluginsDir,
    logDestination: quiet,
    reporters: [{ plugin: './event-file', options: { file: files.allPush } }],
  });
  allSource = new HttpSource({ type: 'http', listen: `127.0.0.1:${allPort}`, path: '/buildbot' }, silent);
  await allSource.start((input) => allRuntime.emit(input));
  for (const [port, file] of [
    [basicPort, files.basicPush],
    [wrongPort, files.wrongPush],
  ] as const) {
    const runtime = await Runtime.start({
      configDir: pluginsDir,
      logDestination: quiet,
      reporters: [{ plugin: './event-file', options: { file } }],
    });
    const source = new HttpSource(
      { type: 'http', listen: `127.0.0.1:${port}`, path: '/buildbot', user: 'buildbot', password: 's3cret' },
      silent,
    );
    await source.start((input) => runtime.emit(input));
    basic.push({ runtime, source });
  }
});

afterAll(async () => {
  await pushService?.stop(1000);
  await websocketService?.stop(1000);
  await allSource?.close();
  await allRuntime?.close(1000);
  for (const { source, runtime } of basic) {
    await source.close();
    await runtime.close(1000);
  }
  await bb?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function buildIdOf(bsid: number): Promise<number> {
  let id = 0;
  await bb.waitFor(
    async () => {
      const { buildrequests } = (await bb.get(`/buildrequests?buildsetid=${bsid}`)) as {
        buildrequests: Array<{ buildrequestid: number }>;
      };
      if (!buildrequests.length) return false;
      const { builds } = (await bb.get(`/builds?buildrequestid=${buildrequests[0].buildrequestid}`)) as {
        builds: Array<{ buildid: number }>;
      };
      id = builds[0]?.buildid ?? 0;
      return id > 0;
    },
    30_000,
    `the build of buildset ${bsid}`,
  );
  return id;
}

describe("the master's own HttpStatusPush into the http source", () => {
  it('both configurations fire the build hooks; buildbotURL enriches the default push over REST', async () => {
    const pass = await buildIdOf((await bb.force(['pass'], 'push pass')).bsid);
    const fail = await buildIdOf((await bb.force(['fail'], 'push fail')).bsid);
    const bothDone = (file: string) =>
      waitForRecorded(
        file,
        (r) => [pass, fail].every((id) => buildEvents(r, id).length === 2),
        30_000,
        `pass and fail in ${file}`,
      );
    const [viaDefault, viaAll, viaWebsocket] = [
      await bothDone(files.defaultPush),
      await bothDone(files.allPush),
      await bothDone(files.websocket),
    ];

    for (const records of [viaDefault, viaAll, viaWebsocket]) {
      expect(buildEvents(records, pass).map((r) => r.hook)).toEqual(['buildStarted', 'buildFinished']);
      expect(buildEvents(records, fail)[1].event.payload.results).toBe(2);
      expect(buildEvents(records, fail)[1].event.payload.url).toBe(
        `${bb.url}#builders/${buildEvents(records, fail)[1].event.payload.builderid}/builds/1`,
      );
    }
    // 3.7's default HttpStatusPush sends no steps and no prev_build: these came over REST.
    const enriched = buildEvents(viaDefault, fail)[1].event.payload;
    expect(enriched.steps.map((s: { name: string }) => s.name)).toEqual(['worker_preparation', 'false']);
    expect(enriched.steps[1].logs[0].content).toBeDefined();
    expect(enriched.prev_build).toBeNull();
    expect(enriched.changes).toEqual([]);
    expect(enriched.blamelist).toEqual([]);
    // The all-modes push carries steps and prev_build itself; without enrichment there are no changes.
    const carried = buildEvents(viaAll, fail)[1].event.payload;
    expect(carried.steps.length).toBe(2);
    expect(carried).toHaveProperty('prev_build', null);
    expect(carried).not.toHaveProperty('changes');
    expect(carried.properties.buildername).toEqual(['fail', 'Builder']);
  });

  it('HttpStatusPush with user/password (HTTP Basic) is accepted with the right password and refused with a wrong one', async () => {
    const pass = await buildIdOf((await bb.force(['pass'], 'basic auth push')).bsid);
    const records = await waitForRecorded(
      files.basicPush,
      (r) => buildEvents(r, pass).length === 2,
      30_000,
      'the Basic-auth pushes',
    );
    expect(buildEvents(records, pass).map((r) => r.hook)).toEqual(['buildStarted', 'buildFinished']);
    await bb.waitIdle();
    // The master posted both events with the wrong password too: every one was refused (401).
    expect(existsSync(files.wrongPush)).toBe(false);
  });

  it('HttpStatusPush carries no buildset events; the buildbot source reports them', async () => {
    const { bsid } = await bb.force(['pass', 'warn'], 'two builds');
    const records = await waitForRecorded(
      files.websocket,
      (r) => r.some((x) => x.event.id === `buildsetFinished:${bsid}`),
      30_000,
      'buildsetFinished',
    );
    expect(records.find((x) => x.event.id === `buildsetFinished:${bsid}`)!.event.payload.buildset.results).toBe(1);
    // run keeps the source's view of the master under stateDir, for restarts.
    expect(existsSync(join(dir, 'websocket-state', `buildbot-127.0.0.1_${bb.httpPort}.json`))).toBe(true);
    await bb.waitIdle();
    const pushed = await waitForRecorded(
      files.defaultPush,
      (r) => r.filter((x) => x.event.payload.buildset?.bsid === bsid && x.hook === 'buildFinished').length === 2,
      30_000,
      'the pushes',
    );
    expect(pushed.some((x) => x.hook === 'buildsetFinished')).toBe(false);
  });
});
