/**
 * What a build's start read that its finish can reuse: its build request and buildset (as Buildbot's own
 * finished bodies show them: the buildset not complete yet) and the changes it builds, which never change
 * while it runs. Buildbot 3.7 answers `builds/N/changes` in hundreds of ms under load; fetched while the
 * build runs, a finished build is enriched with fewer requests, side by side. Kept for the builds running
 * now, the oldest dropped beyond MAX_RUNNING.
 */
import type { BuildRequest, Buildset, Change } from '../events/events.js';
import { setNewest } from '../lang/bounded-map.js';

const MAX_RUNNING = 1000;

export interface StartedBuild {
  buildrequest?: BuildRequest;
  buildset?: Buildset;
  /** Fetched early for the finish; undefined when that read failed (the finish asks again). */
  changes?: Promise<Change[] | undefined>;
}

export class StartedBuilds {
  private readonly builds = new Map<number, StartedBuild>();

  remember(buildid: number, started: StartedBuild): void {
    setNewest(this.builds, buildid, started, MAX_RUNNING);
  }

  /** What the build's start left, once: a finished build does not run again. */
  take(buildid: number): StartedBuild | undefined {
    const started = this.builds.get(buildid);
    this.builds.delete(buildid);
    return started;
  }
}
