/** Buildbot's `watchedWorkers` of its mail-like notifiers: which missing workers get a message. */

/** `'all'`, `null` (none) or the names of the workers watched. */
export type WatchedWorkers = 'all' | null | readonly string[];

export function isWatchedWorker(watched: WatchedWorkers, worker: string): boolean {
  return watched === 'all' || (watched !== null && watched.includes(worker));
}
