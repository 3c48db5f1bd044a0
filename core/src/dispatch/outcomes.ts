/** What happened to an event at each reporter, and to each delivery: never one boolean. */
import type { EventName } from '../events/events.js';

/**
 * A handler's result for one event. `accepted`: the handler finished; `skipped`: a filter or the
 * reporter's hooks left it out, or the handler delivered nothing and said why (`ctx.skip`), see
 * `reason`; `failed`: it threw or rejected; `timeout`: it did not settle within the handler timeout
 * and was aborted.
 */
export type HookStatus = 'accepted' | 'skipped' | 'failed' | 'timeout';

export interface HookOutcome {
  reporter: string;
  hook: EventName;
  eventId: string;
  status: HookStatus;
  reason?: string;
  /** Why the handler left the event, or parts of it (one source stamp of several), with no delivery (`ctx.skip`); a `skipped` outcome's `reason` joins them. */
  skips?: string[];
  /** The ids of the deliveries the handler made (follow them at the http source's `/deliveries/ID`). */
  deliveries?: string[];
  durationMs: number;
}

/**
 * `sent`: the remote took it; `failed`: gave up (see `reason`); `superseded`: a newer delivery to
 * the same target replaced it; `previewed`: a dry run (`RuntimeOptions.dryRun`) recorded it unsent;
 * `deferred`: core stopped before it was sent, and it is kept in the ledger for the next start.
 */
export type DeliveryStatus = 'sent' | 'failed' | 'superseded' | 'previewed' | 'deferred';

export interface DeliveryOutcome {
  reporter: string;
  deliveryId: string;
  target: string;
  eventId?: string;
  status: DeliveryStatus;
  attempts: number;
  reason?: string;
  /** What the plugin's send (or core's HTTP sender) returned, e.g. an HTTP status. */
  response?: unknown;
}

export interface DispatchResult {
  eventId: string;
  event: EventName;
  /** True when an event with the same id was already dispatched: nothing ran again; `outcomes` are the first dispatch's, when the ledger has them. */
  duplicate: boolean;
  /** One outcome per reporter, in config order. */
  outcomes: HookOutcome[];
}
