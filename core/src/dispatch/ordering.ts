/**
 * Per-key ordering: tasks with the same key run one after another in submission order; tasks
 * with different keys run concurrently. Used per reporter, keyed by build, so a build's started
 * event is handled before its finished event even when the first handler is slow.
 */
import type { BbEvent } from '../events/events.js';

/**
 * The key that orders events: a build's started and finished events share it, so a reporter
 * sees them in order; different builds get different keys and run concurrently.
 */
export function orderingKey(event: BbEvent): string {
  switch (event.event) {
    case 'buildStarted':
    case 'buildFinished':
      return `build:${event.payload.buildid}`;
    case 'buildsetFinished':
      return `buildset:${event.payload.buildset.bsid}`;
    case 'workerMissing':
      return `worker:${event.payload.worker.workerid}`;
  }
}

/**
 * Runs tasks keyed by `orderingKey`. A task whose key is idle starts at once (no turn of the
 * microtask queue), and one that returns without a promise is done then: nothing is kept for it.
 * One whose key is busy starts when the task before it settles, however it ends. This runs per
 * reporter and event, so it keeps to one promise of its own per task that waits on something.
 */
export class KeyedSerializer {
  private readonly tails = new Map<string, Promise<void>>();

  run<T>(key: string, task: () => T | Promise<T>): Promise<T> {
    const previous = this.tails.get(key);
    let result: Promise<T>;
    if (previous) result = previous.then(task);
    else {
      let value: T | Promise<T>;
      try {
        value = task();
      } catch (error) {
        return Promise.reject(error);
      }
      if (typeof (value as PromiseLike<T> | undefined)?.then !== 'function') return Promise.resolve(value);
      result = value as Promise<T>;
    }
    const tails = this.tails;
    const release = () => {
      if (tails.get(key) === tail) tails.delete(key);
    };
    const tail: Promise<void> = result.then(release, release);
    tails.set(key, tail);
    return result;
  }

  /** Keys with work queued or running. */
  get size(): number {
    return this.tails.size;
  }
}
