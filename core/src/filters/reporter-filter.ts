/**
 * A reporter's "when to report", built once from its validated filters: the dispatcher asks it
 * before calling a handler. Props filters apply to build events; `mode` applies to finished
 * builds and buildsets only (a buildset passes when one of its builds does, as Buildbot's
 * BuildSetStatusGenerator decides); workerMissing is never filtered.
 */
import type { BbEvent, BuildPayload, BuildsetPayload } from '../events/events.js';
import type { Filters } from '../generated/schemas.js';
import { statusToString } from '../events/results.js';
import { expandMode, isMessageNeeded, type ModeName } from './mode.js';
import { propsRejection } from './props.js';

export interface ReporterFilter {
  /** The expanded mode, or undefined when the reporter is never mode-filtered. */
  readonly modes: readonly ModeName[] | undefined;
  /** Why a finished build is not reported, or undefined. */
  buildRejection(build: BuildPayload): string | undefined;
  /** The builds of a finished buildset these filters let through (a summary covers only these). */
  reportedBuilds(buildset: BuildsetPayload): BuildPayload[];
  /** The dispatcher's `skipReason`. */
  skipReason(event: BbEvent): string | undefined;
}

/**
 * `accepted` are the filters the plugin's manifest lists: a reporter that accepts `mode` and has
 * none configured gets Buildbot's default; one that does not accept it is never mode-filtered.
 */
export function createReporterFilter(filters: Filters, accepted: readonly string[]): ReporterFilter {
  const modes = accepted.includes('mode') ? expandMode(filters.mode) : undefined;
  const buildRejection = (build: BuildPayload): string | undefined => {
    const rejected = propsRejection(build, filters);
    if (rejected || !modes) return rejected;
    if (isMessageNeeded(build.results, build.prev_build, modes)) return undefined;
    const prev = build.prev_build ? `, previous ${statusToString(build.prev_build.results)}` : ', no previous build';
    return `mode ${modes.join(',')} does not report a ${statusToString(build.results)} build${modes.includes('change') || modes.includes('problem') ? prev : ''}`;
  };
  return {
    modes,
    buildRejection,
    reportedBuilds: (buildset) => buildset.builds.filter((build) => !buildRejection(build)),
    skipReason(event) {
      switch (event.event) {
        case 'buildStarted':
          return propsRejection(event.payload, filters);
        case 'buildFinished':
          return buildRejection(event.payload);
        case 'buildsetFinished': {
          const reasons = event.payload.builds.map(buildRejection);
          if (reasons.some((r) => r === undefined)) return undefined;
          return `no build of buildset ${event.payload.buildset.bsid} passes the filters${reasons.length ? ` (${[...new Set(reasons)].join('; ')})` : ''}`;
        }
        case 'workerMissing':
          return undefined;
      }
    },
  };
}
