import { describe, expect, it } from 'vitest';
import type { BuildPayload } from '../events/events.js';
import { fixture } from '../testing/fixtures.js';
import { asAtBuildEvent } from './as-at-event.js';

/** A finished build as REST shows it once its request and buildset have completed too. */
const readLate = () => {
  const build = fixture('change-pass.finished') as unknown as BuildPayload;
  return {
    ...build,
    locks_duration_s: 2,
    buildrequest: { ...build.buildrequest!, complete: true, complete_at: 1700000100, results: 0 },
    buildset: { ...build.buildset!, complete: true, complete_at: 1700000100, results: 0 },
  } as BuildPayload;
};

describe('asAtBuildEvent', () => {
  it('a finished build keeps its own state; its request and buildset are still open, as Buildbot read them', () => {
    const late = readLate();
    const body = asAtBuildEvent(late, 'buildFinished');
    expect(body).toMatchObject({ complete: true, results: late.results, complete_at: late.complete_at });
    expect(body.buildrequest).toMatchObject({ complete: false, complete_at: null, results: -1 });
    expect(body.buildset).toMatchObject({ complete: false, complete_at: null, results: -1, bsid: late.buildset!.bsid });
  });

  it('a start caught up after the build ended is told as it was when it started', () => {
    const body = asAtBuildEvent(readLate(), 'buildStarted');
    expect(body).toMatchObject({
      complete: false,
      complete_at: null,
      results: null,
      state_string: 'starting',
      locks_duration_s: 0,
    });
    expect(body.buildrequest).toMatchObject({ complete: false, results: -1 });
  });

  it("a start's steps are the pending worker_preparation only, however far REST shows the build", () => {
    const late = readLate();
    expect(late.steps!.length).toBeGreaterThan(1);
    const body = asAtBuildEvent(late, 'buildStarted');
    expect(body.steps).toEqual([
      { ...late.steps![0], complete: false, complete_at: null, results: null, state_string: 'pending' },
    ]);
    expect(asAtBuildEvent(late, 'buildFinished').steps).toEqual(late.steps);
  });
});
