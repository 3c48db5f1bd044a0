/**
 * Reload without loss: a real service (`bbreporters run`) under load (360 builds, their start and
 * end posted 8 at a time) while its config is rewritten and reloaded with `bbreporters reload`
 * and SIGHUP. The remotes are real HTTP servers counting what they took.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  fixturePlugins,
  httpStatusPushDir,
  runCli,
  startService,
  tempDir,
  type RunningService,
} from './support/bbreporters-cli.js';

interface Sink {
  url: string;
  /** `buildid:started|finished` of each build event answered 200, in arrival order. */
  taken: string[];
  /** Requests answered 500 while failing. */
  refused: () => number;
  heal: () => void;
  close: () => Promise<void>;
}

/** A remote taking HttpStatusPush-like posts; a failing one answers 500 until healed. */
async function sink(failing = false): Promise<Sink> {
  const taken: string[] = [];
  let refused = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      if (failing) {
        refused++;
        res.writeHead(500).end();
        return;
      }
      const build = JSON.parse(body) as { buildid: number; complete: boolean };
      taken.push(`${build.buildid}:${build.complete ? 'finished' : 'started'}`);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    taken,
    refused: () => refused,
    heal: () => (failing = false),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

const BUILDS = 360;
const CONCURRENCY = 8;
const fast = '    delivery: { baseDelayMs: 50, maxDelayMs: 200 }\n';

/** Resolves once `check` holds, polling; fails after `ms` with `what`. */
async function until(check: () => boolean, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The service's JSON log lines with message `msg`. */
function logLines(service: RunningService, msg: string): Array<Record<string, unknown>> {
  return service
    .stderr()
    .split('\n')
    .filter((line) => line.includes(`"msg":"${msg}`))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

const keysOf = (builds: Iterable<number>) => [...builds].flatMap((b) => [`${b}:started`, `${b}:finished`]);

describe('reload (SIGHUP, bbreporters reload) under load', () => {
  it('moves a changed reporter, keeps an unchanged one, lets a removed one finish, refuses invalid configs, loses nothing', async () => {
    const [movingBefore, movingAfter, steadySink, flaky] = await Promise.all([sink(), sink(), sink(), sink(true)]);
    cleanups.push(movingBefore.close, movingAfter.close, steadySink.close, flaky.close);
    const dir = tempDir();
    const config = join(dir, 'bbreporters.yaml');
    const lives = join(dir, 'lives.jsonl');
    const push = (name: string, url: string) =>
      `  - plugin: '@bbreporters/http-status-push'\n    name: ${name}\n    options: { serverUrl: '${url}' }\n${fast}`;
    const counter = (name: string, url: string, extra = '') =>
      `  - plugin: ${join(fixturePlugins, 'setup-counter')}\n    name: ${name}\n    options: { url: '${url}', file: '${lives}'${extra} }\n${fast}`;
    const head = 'sources:\n  - type: http\n    listen: 127.0.0.1:0\nreporters:\n';
    const write = (reporters: string) => writeFileSync(config, `${head}${reporters}`);
    write(push('moving', movingBefore.url) + counter('steady', steadySink.url) + push('leaving', flaky.url));

    const service = await startService(config);
    cleanups.push(() => service.stop());
    const pidFile = join(dir, '.bbreporters', 'bbreporters.pid');
    await until(() => existsSync(pidFile), 'the pid file');
    expect(Number(readFileSync(pidFile, 'utf8'))).toBe(service.child.pid);

    // The load: each build's start then end, CONCURRENCY builds at a time, until BUILDS are posted.
    const started = JSON.parse(readFileSync(join(httpStatusPushDir, 'pass.new.json'), 'utf8')) as object;
    const finished = JSON.parse(readFileSync(join(httpStatusPushDir, 'pass.finished.json'), 'utf8')) as object;
    const firstPostAt = new Map<number, number>();
    const done = new Set<number>();
    let next = 1;
    const worker = async () => {
      for (let build = next++; build <= BUILDS; build = next++) {
        firstPostAt.set(build, Date.now());
        for (const body of [started, finished]) {
          const res = await fetch(service.url, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ ...body, buildid: build, number: build }),
          });
          expect(res.status).toBe(200);
          await res.text();
        }
        done.add(build);
      }
    };
    const load = Promise.all(Array.from({ length: CONCURRENCY }, worker));
    // Awaited below; a failure before that must not surface as an unhandled rejection too.
    load.catch(() => undefined);

    // (a, b, c) A third in: moving goes to its second remote, steady stays, leaving (its remote failing) goes.
    await until(() => done.size >= BUILDS / 3, 'a third of the load');
    expect(flaky.refused()).toBeGreaterThan(0);
    write(push('moving', movingAfter.url) + counter('steady', steadySink.url));
    const doneBeforeReload = new Set(done);
    const reload = await runCli(['reload', '--config', config]);
    expect(reload.stderr).toBe('');
    expect(reload.stdout).toContain(`sent SIGHUP to the service (pid ${service.child.pid})`);
    expect(reload.code).toBe(0);
    await until(() => logLines(service, 'config reloaded').length === 1, 'the reload');
    const reloadedAt = Date.now();
    expect(logLines(service, 'config reloaded')[0]).toMatchObject({
      unchanged: ['steady'],
      changed: ['moving'],
      added: [],
      removed: ['leaving'],
    });
    // The duplicate window carries over the reload: an event seen before is not handled again.
    const again = await fetch(service.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...finished, buildid: 1, number: 1 }),
    });
    expect(await again.json()).toMatchObject({ duplicate: true });
    // The removed reporter still holds deliveries its remote refuses: they finish once it answers.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(logLines(service, 'reporter closed after the reload (removed)')).toEqual([]);
    flaky.heal();

    // (d) Two thirds in: invalid configs are refused, and the running reporters go on.
    await until(() => done.size >= (2 * BUILDS) / 3, 'two thirds of the load');
    write(
      push('moving', movingAfter.url) +
        counter('steady', steadySink.url).replace('options: {', 'options: { urll: x,') +
        counter('broken', steadySink.url),
    );
    const invalid = await runCli(['reload', '--config', config]);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain('BBR_CONFIG_INVALID');
    expect(invalid.stderr).toContain('urll');
    expect(invalid.stdout).toBe('');
    // Valid for `check`, but its setup() throws: only the service can tell, and refuses it.
    write(
      push('moving', movingAfter.url) +
        counter('steady', steadySink.url) +
        counter('broken', steadySink.url, ', failSetup: true'),
    );
    expect((await runCli(['reload', '--config', config])).code).toBe(0);
    await until(() => logLines(service, 'reload refused').length === 1, 'the refused setup');
    expect(logLines(service, 'reload refused')[0].msg).toContain('BBR_PLUGIN_SETUP');
    expect(logLines(service, 'reload refused')[0].msg).toContain('reporter "broken"');
    // Not YAML at all, by a plain SIGHUP.
    writeFileSync(config, `${head}  - plugin: [unclosed\n`);
    service.child.kill('SIGHUP');
    await until(() => logLines(service, 'reload refused').length === 2, 'the refused YAML');
    expect(logLines(service, 'reload refused')[1].code).toBe('BBR_CONFIG_READ');
    expect(logLines(service, 'reloading the config')).toHaveLength(3);

    await load;
    const all = keysOf(Array.from({ length: BUILDS }, (_, i) => i + 1));
    const afterReload = [...firstPostAt].filter(([, at]) => at > reloadedAt).map(([build]) => build);
    expect(afterReload.length).toBeGreaterThan(BUILDS / 3);
    await until(
      () =>
        steadySink.taken.length >= all.length &&
        movingBefore.taken.length + movingAfter.taken.length >= all.length &&
        keysOf(doneBeforeReload).every((key) => flaky.taken.includes(key)),
      'every delivery',
    );
    // (e) Every event reached every reporter's remote once: nothing lost, nothing twice.
    expect(steadySink.taken.sort()).toEqual(all.sort());
    expect([...movingBefore.taken, ...movingAfter.taken].sort()).toEqual(all.sort());
    // (a) What came after the reload went to the new place only; what came before, to the old.
    expect(movingAfter.taken).toEqual(expect.arrayContaining(keysOf(afterReload)));
    expect(movingBefore.taken).toEqual(expect.arrayContaining(keysOf(doneBeforeReload)));
    // (c) The removed reporter finished what it held, and got nothing after the reload.
    expect(new Set(flaky.taken).size).toBe(flaky.taken.length);
    expect(flaky.taken.filter((key) => afterReload.includes(Number(key.split(':')[0])))).toEqual([]);
    await until(() => logLines(service, 'reporter closed after the reload').length === 2, 'the old instances closed');

    // (b) steady was set up once, through three reloads; stopping closes it once. Nothing pending at stop.
    const exitCode = await service.stop();
    expect(exitCode).toBe(0);
    const records = readFileSync(lives, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { kind: string; name: string });
    expect(records).toEqual([
      { kind: 'setup', name: 'steady' },
      { kind: 'close', name: 'steady' },
    ]);
    expect(existsSync(pidFile)).toBe(false);
  }, 90_000);

  it('says when no service runs with the config: no pid file, or a stale one', async () => {
    const dir = tempDir({
      'bbreporters.yaml': 'sources:\n  - type: http\n    listen: 127.0.0.1:0\nreporters:\n  - plugin: console\n',
    });
    const config = join(dir, 'bbreporters.yaml');
    const none = await runCli(['reload', '--config', config]);
    expect(none.code).toBe(3);
    expect(none.stderr).toContain('BBR_SERVICE_NOT_RUNNING');
    expect(none.stderr).toContain('bbreporters.pid does not exist');

    // The pid of a process that has ended.
    const gone = spawn(process.execPath, ['-e', '']);
    await new Promise((resolve) => gone.on('close', resolve));
    mkdirSync(join(dir, '.bbreporters'));
    writeFileSync(join(dir, '.bbreporters', 'bbreporters.pid'), `${gone.pid}\n`);
    const stale = await runCli(['reload', '--config', config]);
    expect(stale.code).toBe(3);
    expect(stale.stderr).toContain(`names process ${gone.pid}, which is not running`);
  });
});
