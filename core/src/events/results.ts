/** Buildbot's result codes (master/buildbot/process/results.py). */
export const Results = {
  SUCCESS: 0,
  WARNINGS: 1,
  FAILURE: 2,
  SKIPPED: 3,
  EXCEPTION: 4,
  RETRY: 5,
  CANCELLED: 6,
} as const;

export type ResultName = keyof typeof Results;

const names = ['success', 'warnings', 'failure', 'skipped', 'exception', 'retry', 'cancelled'] as const;

/** Buildbot's statusToString: null → "not finished", out of range → "Invalid status". */
export function statusToString(results: number | null | undefined): string {
  if (results === null || results === undefined) return 'not finished';
  return names[results] ?? 'Invalid status';
}
