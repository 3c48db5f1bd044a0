import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { Runtime } from './runtime.js';
import { fixture } from '../testing/fixtures.js';

const plugin = new URL('../../../test/fixtures/plugins/formatting', import.meta.url).pathname;

/** The two change captures without prev_build; the failing one renumbered onto the passing build's builder. */
function changeBuilds() {
  const pass = fixture('change-pass.finished');
  const fail = fixture('change-fail.finished');
  delete pass.prev_build;
  delete fail.prev_build;
  // The captures are builds of two builders (pass #4, fail #3): make the failure the next build of "pass".
  Object.assign(fail, {
    builderid: pass.builderid,
    builder: pass.builder,
    number: (pass.number as number) + 1,
    buildid: 9001,
  });
  return { pass, fail };
}

async function start(stateDir: string) {
  return Runtime.start({
    configDir: '/',
    stateDir,
    reporters: [
      {
        plugin,
        name: 'changes',
        options: { mode: 'change', messageFormatter: { template: '<%= status_detected %>' } },
      },
    ],
    logLevel: 'silent',
  });
}

describe('build history across a restart', () => {
  test('change mode still fires when the service restarted between two builds that lack prev_build', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'bbr-state-'));
    const { pass, fail } = changeBuilds();
    const first = await start(stateDir);
    const firstResult = await first.emit(pass);
    await first.close();
    expect(firstResult.outcomes[0]).toMatchObject({
      status: 'skipped',
      reason: 'mode change does not report a success build, no previous build',
    });

    const second = await start(stateDir);
    const sent: unknown[] = [];
    second.onDelivery((_outcome, delivery) => sent.push(delivery.payload));
    const result = await second.emit(fail);
    await second.close();
    expect(result.outcomes[0]).toMatchObject({ reporter: 'changes', status: 'accepted' });
    expect(sent).toEqual([{ body: 'new failure', type: 'plain' }]);
  });

  test('without the history (a fresh stateDir) the same failure is not a change', async () => {
    const { fail } = changeBuilds();
    const runtime = await start(mkdtempSync(join(tmpdir(), 'bbr-state-')));
    const result = await runtime.emit(fail);
    await runtime.close();
    expect(result.outcomes[0]).toMatchObject({ status: 'skipped' });
  });

  test('the history answers the read-only master control when no source provides one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bbr-state-'));
    writeFileSync(
      join(dir, 'last.mjs'),
      'export async function last(ctx, { master }) { const b = await master.lastBuild(ctx.buildername); return { last: b ? `#${b.number} ${b.results}` : "none" }; }\n',
    );
    const { pass, fail } = changeBuilds();
    const options = {
      mode: 'all',
      messageFormatter: { template: '<%= last %>', buildAdditionalContext: './last.mjs#last' },
    };
    const runtime = await Runtime.start({
      configDir: dir,
      stateDir: dir,
      reporters: [{ plugin, options }],
      logLevel: 'silent',
    });
    const sent: unknown[] = [];
    runtime.onDelivery((_outcome, delivery) => sent.push(delivery.payload));
    const outcomes = [...(await runtime.emit(pass)).outcomes, ...(await runtime.emit(fail)).outcomes];
    await runtime.close();
    expect(outcomes.map((o) => o.reason ?? o.status)).toEqual(['accepted', 'accepted']);
    // Each build is recorded before its handlers run: the last finished build is the build itself.
    expect(sent).toEqual([
      { body: '#4 0', type: 'plain' },
      { body: '#5 2', type: 'plain' },
    ]);
  });
});
