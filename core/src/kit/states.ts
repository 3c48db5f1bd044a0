/**
 * Build result → remote status state, as data, one table per service (spec: github.md §3,
 * gitlab.md §2, bitbucket.md §3, stash.md, gitea.md §2, gerrit.md §B.3). `stateFor` reads any table.
 */
import type { ResultName } from '../events/results.js';
import { Results } from '../events/results.js';

export interface StateTable<S extends string | number = string> {
  /** A build not complete (or a build request waiting). */
  pending: S;
  /** A build that has started (`started_at` set) and is not complete, where the service has the state. */
  running?: S;
  /** A complete build, by result. */
  results: Readonly<Record<ResultName, S>>;
  /** A complete build whose result is unknown or out of range. */
  other: S;
}

export const githubStates = {
  pending: 'pending',
  results: {
    SUCCESS: 'success',
    WARNINGS: 'success',
    FAILURE: 'failure',
    SKIPPED: 'success',
    EXCEPTION: 'error',
    RETRY: 'pending',
    CANCELLED: 'error',
  },
  other: 'error',
} as const satisfies StateTable;

/** GitLab accepts pending, running, success, failed, canceled (v3.6+ spelling; `cancelled` is rejected). */
export const gitlabStates = {
  pending: 'pending',
  running: 'running',
  results: {
    SUCCESS: 'success',
    WARNINGS: 'success',
    FAILURE: 'failed',
    SKIPPED: 'success',
    EXCEPTION: 'failed',
    RETRY: 'pending',
    CANCELLED: 'canceled',
  },
  other: 'failed',
} as const satisfies StateTable;

/**
 * Bitbucket Cloud and Server: every result other than SUCCESS is FAILED (upstream quirk 11, kept;
 * the services' STOPPED is never sent by Buildbot, so CANCELLED is FAILED too).
 */
export const bitbucketStates = {
  pending: 'INPROGRESS',
  results: {
    SUCCESS: 'SUCCESSFUL',
    WARNINGS: 'FAILED',
    FAILURE: 'FAILED',
    SKIPPED: 'FAILED',
    EXCEPTION: 'FAILED',
    RETRY: 'FAILED',
    CANCELLED: 'FAILED',
  },
  other: 'FAILED',
} as const satisfies StateTable;

/** Bitbucket Server (Stash) uses the same words as Bitbucket Cloud. */
export const stashStates = bitbucketStates;

/** Gitea; with `warningAsSuccess` use `{ ...giteaStates, results: { ...giteaStates.results, WARNINGS: 'success' } }`. */
export const giteaStates = {
  pending: 'pending',
  results: {
    SUCCESS: 'success',
    WARNINGS: 'warning',
    FAILURE: 'failure',
    SKIPPED: 'success',
    EXCEPTION: 'error',
    RETRY: 'pending',
    CANCELLED: 'error',
  },
  other: 'failure',
} as const satisfies StateTable;

/**
 * Gerrit's verify-status plugin takes a vote, not a word: 1 pass, 0 unstable (or still running),
 * -1 fail. Buildbot's RESULTS_TABLE, with -1 for an unknown result.
 */
export const gerritVerifyValues = {
  pending: 0,
  results: {
    SUCCESS: 1,
    WARNINGS: 1,
    FAILURE: -1,
    SKIPPED: 0,
    EXCEPTION: 0,
    RETRY: 0,
    CANCELLED: 0,
  },
  other: -1,
} as const satisfies StateTable<number>;

export interface BuildState {
  complete?: boolean;
  results?: number | null;
  started_at?: number | string | null;
}

const resultNames = Object.keys(Results) as ResultName[];

/** The state for a build: not complete → running (when started and the table has it) or pending. */
export function stateFor<S extends string | number>(table: StateTable<S>, build: BuildState): S {
  if (!build.complete) return table.running !== undefined && build.started_at ? table.running : table.pending;
  const name = resultNames.find((n) => Results[n] === build.results);
  return name ? table.results[name] : table.other;
}
