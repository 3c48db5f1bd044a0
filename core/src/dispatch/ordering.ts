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

/** Runs tasks keyed by `orderingKey`. */
export class KeyedSerializer {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** Keys with work queued or running. */
  get size(): number {
    return this.tails.size;
  }
}
