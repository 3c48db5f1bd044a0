/**
 * @bbreporters/http-status-push against a real loopback HTTP server, fed Buildbot 3.7's captured
 * HttpStatusPush bodies: the POSTs it makes are Buildbot's (same body, same order), shaped by the
 * want* options, authenticated as configured, retried when the server asks, and understood by
 * another bbreporters instance's `http` source.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkConfig } from '@bbreporters/core';
import { createHarness, fixture, RecordingServer } from '@bbreporters/core/testing';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../core/src/diagnostics/logger.js';
import { HttpSource } from '../core/src/sources/http.js';
import { reporterSession, quickDelivery } from './support/reporter-session.js';

const plugin = fileURLToPath(new URL('../plugins/http-status-push', import.meta.url));
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

let server: RecordingServer;
const session = reporterSession({
  plugin,
  server: () => server,
  options: () => ({ serverUrl: `${server.url}/submit` }),
});
const { run } = session;

/** The fixture as Buildbot v1.x posts it without want flags: properties {}, no steps, no prev_build. */
function bare(body: Record<string, unknown>): Record<string, unknown> {
  const { steps: _steps, prev_build: _prev, ...rest } = body;
  return { ...rest, properties: {} };
}

describe('http-status-push', () => {
  it('POSTs the build as JSON at start (complete false) and at end (complete true), in that order', async () => {
    server = await RecordingServer.start();
    await run({}, [fixture('pass.new'), fixture('pass.finished')]);
    expect(server.requests.map((r) => [r.method, r.url, r.headers['content-type']])).toEqual([
      ['POST', '/submit', 'application/json'],
      ['POST', '/submit', 'application/json'],
    ]);
    const [started, finished] = server.requests.map((r) => JSON.parse(r.body) as Record<string, unknown>);
    expect(started).toEqual(bare(fixture('pass.new')));
    expect(finished).toEqual(bare(fixture('pass.finished')));
    expect([started.complete, started.results, finished.complete, finished.results]).toEqual([false, null, true, 0]);
    expect(server.requests[0].headers.authorization).toBeUndefined();
  });

  it.each([
    ['fail', 2],
    ['warn', 1],
    ['cancel', 6],
  ] as const)(
    'a %s build is posted at its end with results %i (every result, as Buildbot v1.x)',
    async (name, results) => {
      server = await RecordingServer.start();
      await run({}, [fixture(`${name}.new`), fixture(`${name}.finished`)]);
      expect(server.requests.map((r) => (JSON.parse(r.body) as { results: unknown }).results)).toEqual([null, results]);
    },
  );

  it('wantProperties, wantSteps and wantLogs give back the exact body Buildbot 3.7 posted', async () => {
    server = await RecordingServer.start();
    await run({ wantProperties: true, wantSteps: true, wantLogs: true, wantPreviousBuild: true }, [
      fixture('change-pass.new'),
      fixture('change-pass.finished'),
    ]);
    expect(server.requests.map((r) => JSON.parse(r.body) as unknown)).toEqual([
      fixture('change-pass.new'),
      fixture('change-pass.finished'),
    ]);
  });

  it("wantSteps without wantLogs drops each step's logs; wantPreviousBuild adds prev_build", async () => {
    server = await RecordingServer.start();
    const finished = fixture('pass.finished');
    const steps = finished.steps as Array<Record<string, unknown>>;
    steps[0].logs = [{ logid: 1, name: 'stdio', slug: 'stdio', stepid: steps[0].stepid, type: 's', content: 'hello' }];
    const {
      buildid,
      number,
      builderid,
      buildrequestid,
      workerid,
      masterid,
      started_at,
      complete_at,
      complete,
      state_string,
    } = fixture('fail.finished');
    finished.prev_build = {
      buildid,
      number,
      builderid,
      buildrequestid,
      workerid,
      masterid,
      started_at,
      complete_at,
      complete,
      state_string,
      results: 2,
    };
    await run({ wantSteps: true, wantPreviousBuild: true }, [finished]);
    const body = JSON.parse(server.requests[0].body) as Record<string, unknown>;
    expect((body.steps as unknown[]).length).toBe(steps.length);
    expect((body.steps as Array<Record<string, unknown>>).every((s) => !('logs' in s))).toBe(true);
    expect(body.prev_build).toMatchObject({ buildid, results: 2 });
    expect(body.properties).toEqual({});
  });

  it.each([
    [
      "user/password (Buildbot's deprecated form)",
      { user: 'bb', password: 'pw-http-1' },
      'authorization',
      basic('bb', 'pw-http-1'),
    ],
    [
      'auth basic',
      { auth: { type: 'basic', user: 'bb', password: 'pw-http-2' } },
      'authorization',
      basic('bb', 'pw-http-2'),
    ],
    ['auth bearer', { auth: { type: 'bearer', token: 'tok-http-3' } }, 'authorization', 'Bearer tok-http-3'],
    ['auth header', { auth: { type: 'header', name: 'X-Api-Key', value: 'key-http-4' } }, 'x-api-key', 'key-http-4'],
  ])('%s authenticates every POST', async (_name, options, header, value) => {
    server = await RecordingServer.start();
    const h = await run(options, [fixture('pass.new')]);
    expect(server.requests[0].headers[header]).toBe(value);
    expect(h.logs.some((l) => l.includes('user/password is deprecated'))).toBe('user' in options);
  });

  it('headers are added to every POST', async () => {
    server = await RecordingServer.start();
    await run({ headers: { 'Custom-Header': 'On' } }, [fixture('pass.new')]);
    expect(server.requests[0].headers['custom-header']).toBe('On');
  });

  it('format_fn (a module reference) makes the body; returning null sends nothing', async () => {
    server = await RecordingServer.start();
    const dir = mkdtempSync(join(tmpdir(), 'bbr-http-'));
    writeFileSync(
      join(dir, 'format.mjs'),
      'export const summary = async (build) => build.complete ? { name: build.builder.name, results: build.results, hasProps: Object.keys(build.properties).length > 0 } : null;\n',
    );
    await run({ format_fn: './format.mjs#summary' }, [fixture('fail.new'), fixture('fail.finished')], {
      configDir: dir,
    });
    expect(server.requests.map((r) => JSON.parse(r.body) as unknown)).toEqual([
      { name: 'fail', results: 2, hasProps: false },
    ]);
  });

  it('builders (core filter) posts only the listed builders', async () => {
    server = await RecordingServer.start();
    await run({ builders: ['pass'] }, [fixture('fail.new'), fixture('pass.new')]);
    expect(server.requests.map((r) => (JSON.parse(r.body) as { builder: { name: string } }).builder.name)).toEqual([
      'pass',
    ]);
  });

  it('200, 201 and 202 are all success', async () => {
    for (const status of [200, 201, 202]) {
      server = await RecordingServer.start(() => ({ status }));
      const h = await run({}, [fixture('pass.new')]);
      expect(h.deliveries.map((d) => d.outcome.status)).toEqual(['sent']);
      await h.close();
      await server.close();
    }
    server = await RecordingServer.start();
  });

  it('429 with Retry-After and 500s are retried: the end arrives after the start, nothing is lost', async () => {
    server = await RecordingServer.start();
    server.queue({ status: 429, headers: { 'retry-after': '1' } }, { status: 500, body: 'oops' });
    const h = await run({}, [fixture('pass.new'), fixture('pass.finished')]);
    expect(server.requests.map((r) => (JSON.parse(r.body) as { complete: boolean }).complete)).toEqual([
      false,
      false,
      false,
      true,
    ]);
    // Retry-After: 1 → the second try waited at least a second.
    expect(server.requests[1].at - server.requests[0].at).toBeGreaterThanOrEqual(950);
    expect(h.deliveries.map((d) => [d.outcome.status, d.outcome.attempts])).toEqual([
      ['sent', 3],
      ['sent', 1],
    ]);
  });

  it('a 404 is final and logged with its status and body; the password never shows', async () => {
    server = await RecordingServer.start(() => ({ status: 404, body: 'no such hook for pw-http-9' }));
    const h = await run({ auth: { type: 'basic', user: 'bb', password: 'pw-http-9' } }, [fixture('pass.new')]);
    expect(h.deliveries[0].outcome).toMatchObject({ status: 'failed', attempts: 1 });
    expect(h.deliveries[0].outcome.reason).toContain('404');
    const failed = h.logs.filter((l) => l.includes('delivery failed'));
    expect(failed.join('\n')).toContain('no such hook for ********');
    expect(h.logs.join('\n')).not.toContain('pw-http-9');
  });

  it("another bbreporters instance's http source takes the POSTs as the same Buildbot events", async () => {
    const receiver = await createHarness({
      plugin: fileURLToPath(new URL('../plugins/console', import.meta.url)),
      options: { stream: 'stderr' },
    });
    const source = new HttpSource(
      { type: 'http', listen: '127.0.0.1:0', token: 'tok-relay-5' },
      createLogger({ secrets: new Set(), destination: { write: () => undefined } }),
    );
    await source.start((input) => receiver.emit(input));
    try {
      server = await RecordingServer.start();
      const harness = session.track(
        await createHarness({
          plugin,
          options: {
            serverUrl: source.address().url,
            auth: { type: 'bearer', token: 'tok-relay-5' },
            wantProperties: true,
            wantSteps: true,
          },
          delivery: quickDelivery,
        }),
      );
      await harness.emit(fixture('change-fail.new'));
      await harness.emit(fixture('change-fail.finished'));
      await harness.drain();
      expect(harness.deliveries.map((d) => d.outcome.status)).toEqual(['sent', 'sent']);
      const received = receiver.outcomes.map((o) => [o.hook, o.status]);
      expect(received).toEqual([
        ['buildStarted', 'accepted'],
        ['buildFinished', 'accepted'],
      ]);
    } finally {
      await source.close();
      await receiver.close();
    }
  });
});

describe('http-status-push config', () => {
  const problems = (options: Record<string, unknown>): string => {
    try {
      checkConfig(
        {
          reporters: [
            { plugin: 'http-status-push', options: { serverUrl: 'https://status.example.org/submit', ...options } },
          ],
        },
        { configDir: fileURLToPath(new URL('..', import.meta.url)) },
      );
      return '';
    } catch (error) {
      return (error as { describe(): string }).describe();
    }
  };

  it('user/password together with auth is an error naming both; builders must be a list', () => {
    expect(problems({ user: 'bb', password: 'pw-cfg-1', auth: { type: 'bearer', token: 'tok-cfg-2' } })).toMatch(
      /options\.user: must not be given together with auth/,
    );
    expect(problems({ builders: 'Builder0' })).toMatch(/options\.builders: must be array/);
    expect(problems({ auth: { type: 'digest' } })).not.toBe('');
    expect(problems({ format_fn: 'not a reference' })).toMatch(/options\.format_fn/);
    expect(
      problems({
        user: 'bb',
        password: 'pw-cfg-1',
        wantProperties: true,
        wantSteps: true,
        wantLogs: true,
        wantPreviousBuild: true,
        builders: ['a'],
      }),
    ).toBe('');
  });
});
