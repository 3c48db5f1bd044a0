import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Runtime } from '../host/runtime.js';
import { fixture } from '../testing/fixtures.js';

const pluginsDir = new URL('../../../test/fixtures/plugins/', import.meta.url).pathname;
const consoleDir = new URL('../../../plugins/console/', import.meta.url).pathname;
const logs: string[] = [];
let runtime: Runtime | undefined;

afterEach(async () => {
  await runtime?.close(1000);
  runtime = undefined;
  logs.length = 0;
});

const start = (reporters: Parameters<typeof Runtime.start>[0]['reporters'], handlerTimeout = 300) =>
  Runtime.start({ configDir: pluginsDir, reporters, handlerTimeout, logLevel: 'debug', logDestination: { write: (l: string) => void logs.push(l) } });

describe('isolation: one reporter misbehaving never affects the others', () => {
  it('throw, reject, never-settle and late-settle handlers beside console: console reports, dispatch is bounded, outcomes name each failure', async () => {
    runtime = await start([
      { plugin: './misbehaving', name: 'thrower', options: { behaviour: 'throw' } },
      { plugin: './misbehaving', name: 'rejecter', options: { behaviour: 'reject' } },
      { plugin: './misbehaving', name: 'hanger', options: { behaviour: 'hang' } },
      { plugin: './misbehaving', name: 'late', options: { behaviour: 'late', delayMs: 600 } },
      { plugin: consoleDir, name: 'console', options: { format: 'json', stream: 'stderr' } },
    ]);
    const delivered: unknown[] = [];
    runtime.onDelivery((outcome, delivery) => delivered.push({ status: outcome.status, payload: delivery.payload }));

    const started = Date.now();
    const result = await runtime.emit(fixture('fail.finished'));
    const elapsed = Date.now() - started;

    expect(elapsed).toBeLessThan(300 + 250);
    const byName = Object.fromEntries(result.outcomes.map((o) => [o.reporter, o]));
    expect(result.outcomes.map((o) => o.reporter)).toEqual(['thrower', 'rejecter', 'hanger', 'late', 'console']);
    expect(byName.thrower).toMatchObject({ status: 'failed', reason: 'boom from a throwing handler', hook: 'buildFinished' });
    expect(byName.rejecter).toMatchObject({ status: 'failed', reason: 'rejected on purpose' });
    expect(byName.hanger).toMatchObject({ status: 'timeout', reason: 'did not settle within 300 ms' });
    expect(byName.late).toMatchObject({ status: 'timeout' });
    expect(byName.console).toMatchObject({ status: 'accepted' });

    await runtime.deliveries.drain();
    expect(delivered).toEqual([{ status: 'sent', payload: { line: expect.stringContaining('"text":"fail #1 FAILURE') } }]);

    // The late handler settles after its timeout: logged, and its outcome is not counted twice.
    await new Promise((r) => setTimeout(r, 500));
    expect(logs.some((l) => l.includes('handler settled after its timeout'))).toBe(true);
    expect(result.outcomes).toHaveLength(5);
  });

  it('aborts the signal of a handler that times out, with the reason', async () => {
    const log = join(mkdtempSync(join(tmpdir(), 'bbr-abort-')), 'events.log');
    runtime = await Runtime.start({
      configDir: pluginsDir,
      handlerTimeout: 50,
      logDestination: { write: () => {} },
      reporters: [{ plugin: './misbehaving', name: 'hanger', options: { behaviour: 'hang-until-abort', log } }],
    });
    const result = await runtime.emit(fixture('pass.new'));
    expect(result.outcomes[0].status).toBe('timeout');
    expect(readFileSync(log, 'utf8').trim().split('\n')).toEqual(['buildStarted 1 start', 'buildStarted 1 aborted: handler timed out after 50 ms']);
  });
});

describe('ordering', () => {
  it("a build's started event reaches a reporter before its finished event, even when the first handler is slow", async () => {
    const log = join(mkdtempSync(join(tmpdir(), 'bbr-order-')), 'events.log');
    runtime = await start([{ plugin: './misbehaving', name: 'slow', options: { behaviour: 'slow-start', delayMs: 150, log } }], 2000);
    const first = runtime.emit(fixture('pass.new'));
    const second = runtime.emit(fixture('pass.finished'));
    await Promise.all([first, second]);
    expect(readFileSync(log, 'utf8').trim().split('\n')).toEqual([
      'buildStarted 1 start', 'buildStarted 1 end', 'buildFinished 1 start', 'buildFinished 1 end',
    ]);
  });

  it('different builds run concurrently', async () => {
    const log = join(mkdtempSync(join(tmpdir(), 'bbr-order-')), 'events.log');
    runtime = await start([{ plugin: './misbehaving', name: 'slow', options: { behaviour: 'record', delayMs: 150, log } }], 2000);
    const started = Date.now();
    await Promise.all([runtime.emit(fixture('pass.new')), runtime.emit(fixture('fail.new')), runtime.emit(fixture('warn.new'))]);
    expect(Date.now() - started).toBeLessThan(400);
    const lines = readFileSync(log, 'utf8').trim().split('\n');
    expect(lines.slice(0, 3).every((l) => l.endsWith('start'))).toBe(true);
  });

  it('drops a duplicate event (same id) without calling any handler', async () => {
    const log = join(mkdtempSync(join(tmpdir(), 'bbr-dup-')), 'events.log');
    runtime = await start([{ plugin: './misbehaving', name: 'rec', options: { behaviour: 'record', log } }], 2000);
    expect((await runtime.emit(fixture('fail.finished'))).duplicate).toBe(false);
    const again = await runtime.emit(fixture('fail.finished'));
    expect(again).toMatchObject({ duplicate: true, outcomes: [] });
    expect(readFileSync(log, 'utf8').trim().split('\n')).toHaveLength(2);
  });

  it('reports "skipped" for a reporter that does not handle the event', async () => {
    runtime = await start([{ plugin: './misbehaving', name: 'rec', options: { behaviour: 'record' } }]);
    const result = await runtime.emit(fixture('worker-missing'));
    expect(result.outcomes).toEqual([expect.objectContaining({ reporter: 'rec', status: 'skipped', reason: 'does not handle workerMissing' })]);
  });
});
