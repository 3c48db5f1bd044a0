/**
 * A build payload read over REST after the fact, put back into the state Buildbot's own reporters
 * see when they are not busy with an earlier event: they read the build request, buildset and
 * steps (getDetailsForBuild) the moment `builds/N/new` or `builds/N/finished` is handled.
 * - The master completes the request (then the buildset) only after the build has finished: in
 *   every build post both are still open, whatever REST shows by the time we read them.
 * - At `new` the only step is `worker_preparation`, just added and pending; the build's own steps
 *   come later.
 */
import type { BuildPayload, Step } from '../events/events.js';

/** What Buildbot's data API shows for a build request or buildset that has not completed. */
const OPEN = { complete: false, complete_at: null, results: -1 } as const;

/** What a step looks like when Build.startBuild has just added it. */
const PENDING = { complete: false, complete_at: null, results: null, state_string: 'pending' } as const;

/** What a build looks like when `builds/N/new` leaves the master (Build.startBuild sets 'starting' just before). */
const STARTING = { complete: false, complete_at: null, results: null, state_string: 'starting' } as const;

export function asAtBuildEvent(payload: BuildPayload, event: 'buildStarted' | 'buildFinished'): BuildPayload {
  const build = event === 'buildStarted' ? asStarted(payload) : payload;
  return {
    ...build,
    ...(build.buildrequest ? { buildrequest: { ...build.buildrequest, ...OPEN } } : {}),
    ...(build.buildset ? { buildset: { ...build.buildset, ...OPEN } } : {}),
  };
}

/** A start's steps, read after the fact (the enricher applies it to steps it fetched for a start). */
export function stepsAtStart(steps: Step[]): Step[] {
  return steps.filter((s) => s.number === 0).map((s) => ({ ...s, ...PENDING }));
}

function asStarted(payload: BuildPayload): BuildPayload {
  // A start reported late (caught up after a restart) is told as it was when it started.
  const build = payload.complete
    ? { ...payload, ...STARTING, ...(payload.locks_duration_s !== undefined ? { locks_duration_s: 0 } : {}) }
    : payload;
  return build.steps ? { ...build, steps: stepsAtStart(build.steps) } : build;
}
