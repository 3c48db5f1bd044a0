/**
 * The ledger contract: what core keeps about every event it received and every delivery it made,
 * and how the CLI and the console ask the running service to act (retry, redeliver). The embedded
 * store is SQLite (./sqlite-ledger.ts); a distributed queue can sit behind the same contract.
 *
 * A delivery's state: `queued` (waiting to be sent, or asked to be retried), `retrying` (an attempt
 * failed, the next is at `nextTryAt`), `deferred` (core stopped before sending it; sent after the next
 * start) are open; `sent`, `superseded` (a newer delivery to the same target replaced it) and `dead`
 * (failed for good: a final 4xx, retries exhausted, never sendable) are settled. A dead letter keeps its
 * payload, its last error and the remote's answer, so it can be retried.
 */
import type { DeliveryOutcome, HookOutcome } from '../dispatch/outcomes.js';
import type { EventName } from '../events/events.js';

export const DELIVERY_STATES = ['queued', 'retrying', 'deferred', 'sent', 'superseded', 'dead'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];
export const OPEN_STATES: readonly DeliveryState[] = ['queued', 'retrying', 'deferred'];

/** An event as received (after normalising and enrichment), with what identifies its build. */
export interface EventRecord {
  id: string;
  kind: EventName;
  builder?: string;
  /** The build's number (per builder). */
  build?: number;
  receivedAt: number;
  /** The event itself, for `events show` and redelivery. */
  body: unknown;
}

/** A delivery as it is kept: without its payload (see `LedgerQueries.delivery`). */
export interface DeliveryRecord {
  id: string;
  eventId?: string;
  reporter: string;
  target: string;
  state: DeliveryState;
  supersede: boolean;
  attempts: number;
  lastError?: string;
  /** What the remote answered last (e.g. `{ status: 401 }`). */
  lastResponse?: unknown;
  /** When the next attempt is due (state `retrying`). */
  nextTryAt?: number;
  createdAt: number;
  updatedAt: number;
  settledAt?: number;
}

export interface AttemptRecord {
  attempt: number;
  at: number;
  ok: boolean;
  error?: string;
  response?: unknown;
}

export interface DeliveryDetail extends DeliveryRecord {
  /** The request as queued (before credentials are added at send time), secrets masked, cut to a few kilobytes. */
  request?: string;
  attemptList: AttemptRecord[];
}

/** An event with each reporter's outcome (absent while it is dispatched). */
export interface EventSummary {
  id: string;
  kind: EventName;
  builder?: string;
  build?: number;
  receivedAt: number;
  outcomes?: HookOutcome[];
  /** Its deliveries by state. */
  deliveries: Partial<Record<DeliveryState, number>>;
}

export interface EventDetail extends EventSummary {
  body: unknown;
  deliveryList: DeliveryRecord[];
}

/** An open delivery read back from the ledger (at start, or when it is retried). */
export interface StoredDelivery {
  id: string;
  reporter: string;
  target: string;
  payload: unknown;
  supersede: boolean;
  eventId?: string;
}

/** A delivery to make: kept with its payload until it settles. */
export interface NewDelivery extends StoredDelivery {
  createdAt: number;
}

export interface FailedAttemptRecord {
  at: number;
  reason: string;
  response?: unknown;
  /** When the next attempt is due; absent when this attempt was the last. */
  retryAt?: number;
}

/** What the CLI or the console asked the running service to do. */
export type LedgerRequest =
  | { kind: 'retry'; deliveryId: string; at: number }
  | { kind: 'redeliver'; eventId: string; reporter?: string; at: number };

export interface DeliveryFilter {
  state?: DeliveryState | readonly DeliveryState[];
  reporter?: string;
  eventId?: string;
  /** Updated at or after (ms since the epoch). */
  since?: number;
  limit?: number;
}

export interface EventFilter {
  since?: number;
  limit?: number;
}

/** Per reporter: deliveries by state. */
export type ReporterTally = Record<string, Partial<Record<DeliveryState, number>>>;

export interface RetryAnswer {
  id: string;
  /** Why it cannot be retried (unknown id, already sent); absent when the retry was queued. */
  refused?: string;
}

export interface RetentionSettings {
  /** Settled deliveries and events older than this are deleted (default 14 days). */
  maxAgeMs: number;
  /** At most this many settled deliveries are kept (oldest deleted first; dead letters are not counted). */
  maxDeliveries: number;
}

/** What the delivery queue and the runtime write as they work. */
export interface DeliveryLedger {
  recordEvent(event: EventRecord): void;
  recordOutcomes(eventId: string, outcomes: readonly HookOutcome[]): void;
  /** Keeps a new delivery and its payload; false (logged) when the payload cannot be kept (not JSON). */
  add(delivery: NewDelivery): boolean;
  attemptFailed(deliveryId: string, attempt: FailedAttemptRecord): void;
  settled(outcome: DeliveryOutcome, at: number): void;
  /** The payload of an open delivery (held payloads live on disk, not in memory). */
  payload(deliveryId: string): unknown;
  /** Open deliveries (earlier runs, or asked to be retried), oldest first. */
  unsent(): StoredDelivery[];
  /** One open or dead delivery with its payload, for a retry. */
  stored(deliveryId: string): StoredDelivery | undefined;
  /** The requests made since the last call, oldest first; each is returned once. */
  takeRequests(): LedgerRequest[];
  /** Commits what was written so far (writes may wait for the end of the event loop's turn). */
  flush(): void;
  /**
   * Resolves once what was written so far is committed, together with the other writes of this turn of
   * the event loop (a group commit: concurrent events share one). Rejects if that commit failed.
   */
  committed(): Promise<void>;
  /** Deletes what retention lets go; returns how many deliveries and events went. */
  prune(now?: number): { deliveries: number; events: number };
  close(): void;
}

/** What the CLI and the console read, and ask of the service. */
export interface LedgerQueries {
  deliveries(filter?: DeliveryFilter): DeliveryRecord[];
  delivery(id: string): DeliveryDetail | undefined;
  events(filter?: EventFilter): EventSummary[];
  event(id: string): EventDetail | undefined;
  tally(): ReporterTally;
  /** Dead letters per reporter (only reporters that have some). */
  deadLetters(): Record<string, number>;
  /** Marks open or dead deliveries to be sent again; the running service picks them up within a second. */
  requestRetry(ids: readonly string[]): RetryAnswer[];
  /** Asks the service to dispatch a received event again (to one reporter, or all). */
  requestRedelivery(eventId: string, reporter?: string): void;
}

export type Ledger = DeliveryLedger & LedgerQueries;
