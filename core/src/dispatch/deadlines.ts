/**
 * Handler timeouts without a timer per call. Calls given the same timeout reach their deadlines in
 * the order they started, so one timer per timeout length, armed for the oldest call still running,
 * serves them all: a call that starts is pushed on its lane, one that ends is marked. A timer set and
 * cleared per reporter and event was a large part of a dispatch's cost: node drops its list of
 * timers of that length when the last one is cleared, and builds it again, and reschedules its
 * clock, at the next. The lane's timer is only unref'd when no call runs, so it never keeps the
 * process alive on its own. Calls ended behind a slower one stay queued until it ends or times out.
 */

export interface Deadline {
  /** The call ended in time: its timeout will not run. Harmless after the timeout ran. */
  clear(): void;
}

interface Entry {
  at: number;
  onTimeout: (() => void) | undefined;
}

/** The calls of one timeout length, oldest first from `head`. */
class Lane {
  private queue: Entry[] = [];
  private head = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly timeoutMs: number) {}

  add(onTimeout: () => void, startedAt: number): Deadline {
    const entry: Entry = { at: startedAt + this.timeoutMs, onTimeout };
    this.queue.push(entry);
    if (!this.timer) this.arm(entry.at - performance.now());
    else if (this.queue.length - this.head === 1) this.timer.ref();
    return {
      clear: () => {
        entry.onTimeout = undefined;
        this.dropEnded();
      },
    };
  }

  /** Forgets the ended calls at the front; with none left running, the timer no longer holds the process. */
  private dropEnded(): void {
    while (this.head < this.queue.length && !this.queue[this.head].onTimeout) this.head++;
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
      this.timer?.unref();
    } else if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }

  private arm(ms: number): void {
    this.timer = setTimeout(() => this.expire(), Math.max(1, Math.ceil(ms)));
  }

  /** Runs the timeouts that are due, oldest first, then waits for the next one. */
  private expire(): void {
    this.timer = undefined;
    const now = performance.now();
    while (this.head < this.queue.length) {
      const entry = this.queue[this.head];
      if (entry.onTimeout && entry.at > now) break;
      this.head++;
      const onTimeout = entry.onTimeout;
      entry.onTimeout = undefined;
      onTimeout?.();
    }
    this.dropEnded();
    if (this.head < this.queue.length && !this.timer) this.arm(this.queue[this.head].at - now);
  }
}

const lanes = new Map<number, Lane>();

/**
 * Runs `onTimeout` `timeoutMs` after `startedAt` (a `performance.now()`; default now) unless the
 * returned deadline is cleared first. Calls of one length must be added in the order they started.
 */
export function deadline(timeoutMs: number, onTimeout: () => void, startedAt = performance.now()): Deadline {
  let lane = lanes.get(timeoutMs);
  if (!lane) lanes.set(timeoutMs, (lane = new Lane(timeoutMs)));
  return lane.add(onTimeout, startedAt);
}
