/**
 * Which notify event names a build event fires in a chat bot (Buildbot words' notification rules: result
 * names, `xToY` transitions against the previous build, and HEAD's problem/recovery/worse/better).
 */
import type { BuildPayload } from '../../events/events.js';
import { Results, statusToString } from '../../events/results.js';

export const NOTIFY_EVENT_PATTERN =
  /^(started|finished|success|warnings|failure|exception|cancelled|problem|recovery|worse|better|worker|(success|warnings|failure|exception)To(Success|Warnings|Failure|Exception))$/;

/** `notify on` without events. */
export const DEFAULT_NOTIFY_ON = ['started', 'finished'] as const;

export function isNotifyEvent(name: string): boolean {
  return NOTIFY_EVENT_PATTERN.test(name);
}

/** The configured events: a list, or Buildbot's dictionary whose keys count (values ignored). */
export function configuredEvents(option: readonly string[] | Record<string, unknown> | undefined): string[] {
  if (option === undefined) return [];
  return Array.isArray(option) ? [...option] : Object.keys(option);
}

const transitionResults: readonly number[] = [Results.SUCCESS, Results.WARNINGS, Results.FAILURE, Results.EXCEPTION];
/** HEAD's severity order for better/worse; RETRY has no place in it. */
const severity: readonly number[] = [
  Results.SKIPPED,
  Results.SUCCESS,
  Results.WARNINGS,
  Results.FAILURE,
  Results.CANCELLED,
  Results.EXCEPTION,
];
const good: readonly number[] = [Results.SUCCESS, Results.WARNINGS];
const bad: readonly number[] = [Results.FAILURE, Results.EXCEPTION];

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** Every notify event name a finished build fires. A previous build still running fires no transition. */
export function finishedEvents(build: BuildPayload): Set<string> {
  const fired = new Set<string>(['finished']);
  const current = build.results;
  if (current === null) return fired;
  fired.add(statusToString(current));
  const previous = build.prev_build?.results;
  if (previous === null || previous === undefined) return fired;
  if (transitionResults.includes(previous) && transitionResults.includes(current)) {
    fired.add(`${statusToString(previous)}To${capitalise(statusToString(current))}`);
  }
  const before = severity.indexOf(previous);
  const now = severity.indexOf(current);
  if (before >= 0 && now >= 0) {
    if (now < before) fired.add('better');
    if (now > before) fired.add('worse');
    if (good.includes(previous) && bad.includes(current)) fired.add('problem');
    if (bad.includes(previous) && good.includes(current)) fired.add('recovery');
  }
  return fired;
}
