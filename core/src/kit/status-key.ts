/**
 * The status keys Buildbot's PushoverNotifier (`priorities`) and PushjetNotifier (`levels`) look a
 * notification's number up by: one key per finished build's result, `worker_missing` for a
 * missing worker (their PRIORITIES / LEVELS tables, pushover.py and pushjet.py).
 */
import { Results } from '../events/results.js';

export const statusKeys = ['passing', 'failing', 'warnings', 'exception', 'cancelled', 'worker_missing'] as const;
export type StatusKey = (typeof statusKeys)[number];

const byResult: Readonly<Record<number, StatusKey>> = Object.freeze({
  [Results.SUCCESS]: 'passing',
  [Results.WARNINGS]: 'warnings',
  [Results.FAILURE]: 'failing',
  [Results.EXCEPTION]: 'exception',
  [Results.CANCELLED]: 'cancelled',
});

/** The key of a finished build's result; none for SKIPPED and RETRY, which Buildbot's tables do not list either. */
export function statusKeyOf(results: number | null | undefined): StatusKey | undefined {
  return results === null || results === undefined ? undefined : byResult[results];
}
