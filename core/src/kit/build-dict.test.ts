import { describe, expect, it } from 'vitest';
import type { BuildPayload } from '../events/events.js';
import { fixture } from '../testing/fixtures.js';
import { buildDict } from './build-dict.js';

const build = () =>
  ({ ...fixture('change-pass.finished'), blamelist: ['dev'], changes: [] }) as unknown as BuildPayload;

describe('buildDict', () => {
  it('without want flags: properties {}, no steps, no prev_build, none of the keys Buildbot never sends', () => {
    const body = buildDict(build(), {});
    expect(body.properties).toEqual({});
    for (const key of ['steps', 'prev_build', 'blamelist', 'changes']) expect(body).not.toHaveProperty(key);
    expect(body).toMatchObject({ buildid: 13, complete: true, builder: { name: 'pass' } });
  });

  it('wantProperties keeps the properties; wantSteps keeps steps without logs unless wantLogs', () => {
    const input = build();
    input.steps = input.steps!.map((s) => ({ ...s, logs: [] }));
    const body = buildDict(input, { wantProperties: true, wantSteps: true });
    expect(body.properties).toEqual(input.properties);
    expect((body.steps as object[]).every((s) => !('logs' in s))).toBe(true);
    expect((buildDict(input, { wantSteps: true, wantLogs: true }).steps as object[]).every((s) => 'logs' in s)).toBe(
      true,
    );
  });

  it('parentbuild and parentbuilder are always there, null without a parent build, as getDetailsForBuild sets them', () => {
    expect(buildDict(build(), {})).toMatchObject({ parentbuild: null, parentbuilder: null });
    const child = { ...build(), parentbuild: { buildid: 7 }, parentbuilder: { name: 'fanout' } } as BuildPayload;
    expect(buildDict(child, {})).toMatchObject({ parentbuild: { buildid: 7 }, parentbuilder: { name: 'fanout' } });
  });

  it('prev_build goes with a finished build only (Buildbot never looks it up for a `new` post)', () => {
    const prev_build = { ...build(), buildid: 12, number: 1 };
    expect(buildDict({ ...build(), prev_build }, { wantPreviousBuild: true }).prev_build).toEqual(prev_build);
    const started = { ...build(), complete: false, results: null, prev_build };
    expect(buildDict(started, { wantPreviousBuild: true })).not.toHaveProperty('prev_build');
  });
});
