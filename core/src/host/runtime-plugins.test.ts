/** What only a running core shows: plugins loaded from their folders, set up, and called. */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixture } from '../testing/fixtures.js';
import { Runtime } from './runtime.js';
import { bbrErrorFrom } from '../testing/errors.js';

const pluginsDir = new URL('../../../test/fixtures/plugins/', import.meta.url).pathname;
const consoleDir = new URL('../../../plugins/console/', import.meta.url).pathname;
const quiet = { write: () => {} };
let marker: string;
let runtime: Runtime | undefined;

beforeEach(() => {
  marker = join(mkdtempSync(join(tmpdir(), 'bbr-marker-')), 'imported');
  process.env.MARKER_FILE = marker;
});
afterEach(async () => {
  await runtime?.close(1000);
  runtime = undefined;
  delete process.env.MARKER_FILE;
  rmSync(join(marker, '..'), { recursive: true, force: true });
});

const failure = bbrErrorFrom;

describe('plugins are validated before they are imported', () => {
  it('an invalid manifest stops the start before the plugin code is imported', async () => {
    const error = await failure(() =>
      Runtime.start({
        configDir: pluginsDir,
        logDestination: quiet,
        reporters: [{ plugin: './marker-bad-manifest', options: { marker: 'x' } }],
      }),
    );
    expect(error.code).toBe('BBR_PLUGIN_MANIFEST');
    expect(error.details.map((d) => d.path)).toEqual(['bbreporter.hooks[0]']);
    expect(existsSync(marker)).toBe(false);
  });

  it('invalid options stop the start before the plugin code is imported, naming each problem', async () => {
    const error = await failure(() =>
      Runtime.start({
        configDir: pluginsDir,
        logDestination: quiet,
        reporters: [{ plugin: './marker', options: { count: 'three', colour: 'red' } }],
      }),
    );
    expect(error.code).toBe('BBR_PLUGIN_OPTIONS');
    expect(error.details.map((d) => `${d.path} ${d.message}`).sort()).toEqual([
      'reporters[0].options.colour is not an allowed key',
      'reporters[0].options.count must be integer',
      'reporters[0].options.marker is required',
    ]);
    expect(existsSync(marker)).toBe(false);
  });

  it('valid manifest and options: the plugin is imported and set up', async () => {
    runtime = await Runtime.start({
      configDir: pluginsDir,
      logDestination: quiet,
      reporters: [{ plugin: './marker', options: { marker: 'x' } }],
    });
    expect(existsSync(marker)).toBe(true);
    expect(runtime.reporters.map((r) => r.name)).toEqual(['marker-plugin']);
  });

  it('secret option values are collected for masking and never logged', async () => {
    const logs: string[] = [];
    runtime = await Runtime.start({
      configDir: pluginsDir,
      logDestination: { write: (l: string) => void logs.push(l) },
      reporters: [{ plugin: './marker', options: { marker: 'x', token: 's3cr3t-t0ken' } }],
    });
    expect(runtime.secrets.has('s3cr3t-t0ken')).toBe(true);
    expect(logs.join('')).toContain('marker plugin set up with token ********');
    expect(logs.join('')).not.toContain('s3cr3t-t0ken');
  });
});

describe('plugins set up', () => {
  it('a plain-JS CommonJS plugin loads and delivers', async () => {
    runtime = await Runtime.start({
      configDir: pluginsDir,
      logDestination: quiet,
      reporters: [{ plugin: './cjs-plugin' }],
    });
    const sent: unknown[] = [];
    runtime.onDelivery((o, d) => sent.push([o.status, d.payload, o.response]));
    await runtime.emit(fixture('pass.finished'));
    await runtime.deliveries.drain();
    expect(sent).toEqual([['sent', { prefix: 'cjs', builder: 'pass' }, 'ok']]);
  });

  it('handlers that do not match the manifest hooks are refused, naming each mismatch', async () => {
    const error = await failure(() =>
      Runtime.start({ configDir: pluginsDir, logDestination: quiet, reporters: [{ plugin: './wrong-hooks' }] }),
    );
    expect(error.code).toBe('BBR_PLUGIN_HOOKS');
    expect(error.message).toContain('manifest declares "workerMissing" but setup() returned no workerMissing function');
    expect(error.message).toContain('setup() returned "buildStarted" but the manifest\'s hooks do not list it');
  });
});

describe('misbehaving plugins beside a good one', () => {
  it('throwing, rejecting, hanging and late plugins each get their outcome; console beside them still prints its line, and dispatch is bounded by the handler timeout', async () => {
    runtime = await Runtime.start({
      configDir: pluginsDir,
      handlerTimeout: 300,
      logDestination: quiet,
      reporters: [
        { plugin: './misbehaving', name: 'thrower', options: { behaviour: 'throw' } },
        { plugin: './misbehaving', name: 'rejecter', options: { behaviour: 'reject' } },
        { plugin: './misbehaving', name: 'hanger', options: { behaviour: 'hang' } },
        { plugin: './misbehaving', name: 'late', options: { behaviour: 'late', delayMs: 600 } },
        { plugin: consoleDir, name: 'console', options: { format: 'json', stream: 'stderr' } },
      ],
    });
    const delivered: unknown[] = [];
    runtime.onDelivery((outcome, delivery) => delivered.push({ status: outcome.status, payload: delivery.payload }));
    const started = Date.now();
    const result = await runtime.emit(fixture('fail.finished'));
    expect(Date.now() - started).toBeLessThan(300 + 250);
    expect(result.outcomes.map((o) => [o.reporter, o.status, o.reason])).toEqual([
      ['thrower', 'failed', 'boom from a throwing handler'],
      ['rejecter', 'failed', 'rejected on purpose'],
      ['hanger', 'timeout', 'did not settle within 300 ms'],
      ['late', 'timeout', 'did not settle within 300 ms'],
      ['console', 'accepted', undefined],
    ]);
    await runtime.deliveries.drain();
    expect(delivered).toEqual([
      { status: 'sent', payload: { line: expect.stringContaining('"text":"fail #1 FAILURE') } },
    ]);
  });

  it("a reporter's handlerTimeout, else the runtime's, is how long its handlers run before their signal is aborted", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bbr-abort-'));
    runtime = await Runtime.start({
      configDir: pluginsDir,
      handlerTimeout: 50,
      logDestination: quiet,
      reporters: [
        {
          plugin: './misbehaving',
          name: 'default',
          options: { behaviour: 'hang-until-abort', log: join(dir, 'default.log') },
        },
        {
          plugin: './misbehaving',
          name: 'own',
          handlerTimeout: 150,
          options: { behaviour: 'hang-until-abort', log: join(dir, 'own.log') },
        },
      ],
    });
    const result = await runtime.emit(fixture('pass.new'));
    expect(result.outcomes.map((o) => [o.reporter, o.status, o.reason])).toEqual([
      ['default', 'timeout', 'did not settle within 50 ms'],
      ['own', 'timeout', 'did not settle within 150 ms'],
    ]);
    expect(readFileSync(join(dir, 'default.log'), 'utf8').trim().split('\n')).toEqual([
      'buildStarted 1 start',
      'buildStarted 1 aborted: handler timed out after 50 ms',
    ]);
    expect(readFileSync(join(dir, 'own.log'), 'utf8').trim().split('\n')).toEqual([
      'buildStarted 1 start',
      'buildStarted 1 aborted: handler timed out after 150 ms',
    ]);
  });
});
