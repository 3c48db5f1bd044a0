/**
 * The delivery queue's contract: what the runtime, the metrics and the console use of it, and what
 * a sender tells it. Two engines keep it: this process's lanes (./queue.ts, the default) and
 * BullMQ jobs on a shared Redis (../cluster/redis-queue.ts, `queue: {type: redis}`), with the same
 * semantics: per-target order, supersede, Retry-After, every delivery ending with one outcome.
 */
import type { StoredDelivery } from '../ledger/ledger.js';
import type { DeliveryConfig } from '../generated/schemas.js';
import type { DeliveryOutcome, DeliveryStatus } from '../dispatch/outcomes.js';
import type { Delivery, DeliveryHandle, QueuedDelivery, SendOptions } from '../plugin-api.js';

/**
 * What sends a reporter's deliveries: the plugin's `send`, or core's HTTP sender. A failed attempt
 * throws; the error may say `retryable: false` (another try cannot help) and `retryAfterMs` (how
 * long the remote asked to wait). The optional parts tell the queue what only the sender knows.
 */
export type Sender = ((delivery: QueuedDelivery, options: SendOptions) => unknown | Promise<unknown>) & {
  /** A reason the delivery can never be sent (checked before the first attempt, and in dry runs), or undefined. */
  preflight?: (delivery: QueuedDelivery) => string | undefined;
  /**
   * Deliveries that share a hold key (an HTTP origin) wait together when a failure `holdsAll`:
   * a rate limit is the remote's, not one target's.
   */
  holdKey?: (delivery: QueuedDelivery) => string | undefined;
  /** Whether `failure` (which asked to wait) holds every delivery of its hold key, not only its target. */
  holdsAll?: (failure: unknown) => boolean;
  /** Secret values the delivery carries (credential headers…), masked in its outcome's reason. */
  secrets?: (delivery: QueuedDelivery) => readonly string[];
};

/** Per-reporter delivery settings: config `reporters[].delivery` with every default filled in. */
export type DeliverySettings = Required<DeliveryConfig>;

/** Where a delivery comes from: its event and when core received it, or the ledger entry it is restored from. */
export interface DeliveryOrigin {
  eventId?: string;
  /** When core received the event (ms since the epoch). */
  receivedAt?: number;
  /** The ledger's id of a delivery queued again (after a restart, or asked to be retried). */
  restoredId?: string;
  /** Asked to be retried by an operator: it replaces nothing newer that waits for the same target. */
  retry?: boolean;
}

/** A failed attempt of a delivery: `retryInMs` when it is tried again, absent when this attempt was its last. */
export interface FailedAttempt {
  delivery: QueuedDelivery;
  reason: string;
  retryInMs?: number;
}

/** Deliveries without an outcome yet of one reporter: how many, and when the oldest was queued (none: absent). */
export interface Backlog {
  depth: number;
  /** How many of them are parked: waiting for a retry, out of memory. */
  parked: number;
  oldestQueuedAt?: number;
}

/** Outcome counts per reporter and status, plus retries scheduled: for metrics. */
export type DeliveryCounts = Record<string, Record<DeliveryStatus | 'retried', number>>;

/** A wait a remote asked for that still runs: one target's (Retry-After; `key` is the target) or, `whole`, every target at an origin. */
export interface Hold {
  reporter: string;
  key: string;
  until: number;
  whole: boolean;
}

export interface Deliveries {
  /** The reporter's sender and settings; registering again (a reload) applies from each delivery's next attempt. */
  register(reporter: string, sender: Sender, settings?: DeliveryConfig, exclusive?: boolean): void;
  /**
   * Whether this process sends an exclusive reporter's deliveries now (the Redis mode: while it holds
   * the reporter's lease); absent where there is only this process.
   */
  serve?(reporter: string, on: boolean): void;
  /** Forgets a reporter a reload removed, once its deliveries are settled. */
  unregister(reporter: string): void;
  /** Called with each outcome this process settled. */
  onOutcome(listener: (outcome: DeliveryOutcome, delivery: QueuedDelivery) => void): void;
  /** Called at each failed attempt this process made, as it fails. */
  onFailedAttempt(listener: (failure: FailedAttempt) => void): void;
  /** Per registered reporter: deliveries not settled yet. */
  backlog(): Map<string, Backlog>;
  /** The waits remotes asked for that still run (the console's reporter view). */
  holdsNow(now?: number): Hold[];
  /** Queues a delivery and returns at once; `settled` resolves with its outcome. */
  enqueue(reporter: string, delivery: Delivery, origin?: DeliveryOrigin): DeliveryHandle;
  /** Queues again what the ledger kept open from an earlier run; returns how many. */
  restore(entries: readonly StoredDelivery[]): number;
  /** An operator asked to send `entry` again now. */
  retry(entry: StoredDelivery): 'woken' | 'queued' | 'unknown-reporter';
  /** Outcome counts so far, per reporter and status (a copy). */
  counts(): DeliveryCounts;
  /** Deliveries without an outcome yet that this process holds. */
  readonly pendingCount: number;
  /** Waits until what this process holds has its outcome, or `timeoutMs` passes; returns how many are still pending. */
  drain(timeoutMs?: number): Promise<number>;
  /**
   * Resolves once what was queued so far is where every instance finds it (the Redis mode: the jobs
   * added), within a bound; absent where the ledger's commit is enough.
   */
  shared?(): Promise<void>;
  /** Stops: nothing is left without an outcome in this process. */
  close(): void | Promise<void>;
}
