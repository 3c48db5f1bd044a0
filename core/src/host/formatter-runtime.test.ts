import { describe, expect, test } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Runtime } from './runtime.js';
import { fixtures } from '../testing/fixtures.js';

const plugin = new URL('../../../test/fixtures/plugins/formatting', import.meta.url).pathname;

async function start(reporters: Array<{ name: string; options: Record<string, unknown> }>) {
  const runtime = await Runtime.start({
    configDir: '/',
    stateDir: mkdtempSync(join(tmpdir(), 'bbr-state-')),
    title: 'bbharness',
    buildbotURL: 'http://127.0.0.1:8010/',
    reporters: reporters.map((r) => ({ plugin, ...r })),
    logLevel: 'silent',
  });
  const sent: Array<{ reporter: string; payload: unknown }> = [];
  runtime.onDelivery((_outcome, delivery) => sent.push({ reporter: delivery.reporter, payload: delivery.payload }));
  return { runtime, sent };
}

describe('ctx.formatter inside a running core', () => {
  test('a broken template fails its own reporter, naming it and the template; the others still send', async () => {
    const { runtime, sent } = await start([
      { name: 'broken', options: { messageFormatter: { template: 'Hello <%= no_such_variable %>' } } },
      { name: 'fine', options: {} },
    ]);
    const result = await runtime.emit(fixtures.fail.finished());
    await runtime.close();
    const broken = result.outcomes.find((o) => o.reporter === 'broken');
    expect(broken).toMatchObject({
      status: 'failed',
      reason: expect.stringMatching(
        /reporter "broken": template "inline template" failed for build 1 of builder "fail": ReferenceError: no_such_variable is not defined \(line 1\)$/,
      ),
    });
    expect(result.outcomes.find((o) => o.reporter === 'fine')).toMatchObject({ status: 'accepted' });
    expect(sent.map((s) => s.reporter)).toEqual(['fine']);
    expect((sent[0].payload as { subject: string }).subject).toBe(
      "☠ Buildbot (bbharness): fail - failed 'false' (failure) ((unknown revision))",
    );
  });

  test("the reporter's mode filter decides, and is the formatter's default mode", async () => {
    const { runtime, sent } = await start([
      {
        name: 'problems',
        options: {
          mode: ['problem', 'change'],
          messageFormatter: { template: '<%= mode.join("+") %>: <%= status_detected %>' },
        },
      },
    ]);
    const started = await runtime.emit(fixtures.cancel.started());
    const finished = await runtime.emit(fixtures.cancel.finished()); // CANCELLED after SUCCESS: a change
    const passed = await runtime.emit(fixtures.pass.finished()); // first build of "pass": no change
    await runtime.close();
    expect([started, finished, passed].map((r) => r.outcomes[0].status)).toEqual(['accepted', 'accepted', 'skipped']);
    expect(passed.outcomes[0].reason).toBe('mode problem,change does not report a success build, no previous build');
    expect(sent.map((s) => s.payload)).toEqual([
      { started: fixtures.cancel.started().buildid },
      { body: 'problem+change: cancelled build', type: 'plain' },
    ]);
  });

  test("a buildset summary holds only the builds that pass the reporter's filters", async () => {
    const { runtime, sent } = await start([
      {
        name: 'summary',
        options: { mode: ['failing', 'warnings'], messageFormatter: { template: '[<%= buildername %>]' } },
      },
    ]);
    await runtime.emit(fixtures.buildset());
    await runtime.close();
    expect(sent.map((s) => s.payload)).toEqual([{ body: '[fail][warn]', type: 'plain' }]);
  });

  test('a missing worker is rendered with the missing-worker formatter', async () => {
    const { runtime, sent } = await start([
      {
        name: 'workers',
        options: {
          messageFormatterMissingWorker: {
            template: '<%= worker.name %> (<%= worker.notify.join() %>)',
            subject: 'gone: <%= worker.name %>',
          },
        },
      },
    ]);
    await runtime.emit(fixtures.workerMissing());
    await runtime.close();
    expect(sent.map((s) => s.payload)).toEqual([
      { subject: 'gone: ghost-worker', body: 'ghost-worker (ops@example.test)', type: 'plain' },
    ]);
  });
});
