/**
 * Deliveries: a handler decides what to send (`ctx.deliver({target, payload})`), this queue sends
 * it through the reporter's `send` (or core's HTTP sender). Per reporter and target, deliveries go
 * out one at a time in order, and a newer one supersedes an older one still waiting (not yet sent,
 * or waiting for a retry), so a retried `pending` never lands after `success`. Failed attempts are
 * retried with backoff honouring what the server asked; each reporter has a concurrency limit.
 * Every delivery ends with exactly one outcome, logged, counted and handed to listeners: nothing
 * is dropped silently. Handlers never wait for any of this.
 */
import { randomUUID } from 'node:crypto';
import { retryDelay } from './backoff.js';
import type { DeliveryLedger, StoredDelivery } from '../ledger/ledger.js';
import { Semaphore } from './semaphore.js';
import { reasonOf } from '../diagnostics/errors.js';
import type { DeliveryConfig } from '../generated/schemas.js';
import type {
  Backlog,
  Deliveries,
  DeliveryCounts,
  DeliveryOrigin,
  DeliverySettings,
  FailedAttempt,
  Hold,
  Sender,
} from './deliveries.js';
import type { Logger } from '../diagnostics/logger.js';
import { attemptSend, failureReason, finalFailure, plural } from './attempt.js';
import { DeliveryReport } from './delivery-report.js';
import type { DeliveryOutcome, DeliveryStatus } from '../dispatch/outcomes.js';
import type { Delivery, DeliveryHandle, QueuedDelivery } from '../plugin-api.js';
import { defined } from '../lang/defined.js';
import { Settlement } from './settlement.js';

export const DEFAULT_DELIVERY_SETTINGS: Readonly<DeliverySettings> = Object.freeze({
  retries: 60,
  baseDelayMs: 1000,
  maxDelayMs: 60_000,
  maxWaitMs: 3_600_000,
  concurrency: 8,
  timeoutMs: 30_000,
});

export interface DeliveryQueueOptions {
  logger: Logger;
  /** Known secret values, masked in outcome reasons (the logger masks them in log lines). */
  secrets?: Set<string>;
  /** Never send: each delivery settles as 'previewed' (listeners still see target and payload). */
  dryRun?: boolean;
  /**
   * Keeps every delivery, its attempts and its outcome; a delivery without an outcome stays on disk
   * with its payload, so a stop or a crash does not lose it, and held payloads need no memory.
   */
  ledger?: DeliveryLedger;
}

type JobState = 'queued' | 'sending' | 'backoff' | 'parked' | 'settled';

/**
 * A wait for a retry at least this long parks the delivery: it leaves its lane and keeps nothing
 * running (no timer, promise or call frame; its payload in the ledger), and one shared tick brings
 * it back when it is due. Thousands held while a remote is down cost a few hundred bytes each.
 */
const PARK_AFTER_MS = 1000;
/** How often parked deliveries are checked for being due. */
const PARK_TICK_MS = 200;

interface Job {
  delivery: QueuedDelivery;
  supersede: boolean;
  state: JobState;
  /** Aborted when the job settles without being sent (superseded, queue closed): made only for a wait on a send slot. */
  cancel?: AbortController;
  /** Its lane's key (reporter and target). */
  laneKey: string;
  /** A parked job: when its next attempt is due. */
  dueAt?: number;
  /** A newer delivery arrived while this one was in flight: if this attempt fails, do not retry it. */
  replacedBy?: string;
  /** Whether the ledger holds its payload: then it is sent after a restart, and held without its payload in memory. */
  kept: boolean;
  /** Its payload was let go while it waits (the ledger has it): read back before the next attempt. */
  payloadOnDisk?: boolean;
  /** Ends a backoff wait early (an operator asked to retry it now). */
  wake?: () => void;
  /** Try at once, whatever hold the remote asked for (an operator's retry). */
  expedite?: boolean;
  settle(outcome: DeliveryOutcome): void;
}

interface Lane {
  current?: Job;
  waiting: Job[];
  /** Until when the server asked this target to wait (Retry-After, rate limit): a newer delivery that supersedes a waiting one waits too. */
  notBefore?: number;
}

interface ReporterState {
  sender: Sender;
  settings: DeliverySettings;
  slots: Semaphore;
}

/** The abort reason of a settled job; one shared instance, as building an abort reason per delivery is costly. */
const SETTLED = new Error('delivery settled');

export class DeliveryQueue implements Deliveries {
  private readonly reporters = new Map<string, ReporterState>();
  private readonly lanes = new Map<string, Lane>();
  /** Per reporter and hold key (an HTTP origin): until when a rate limit holds every delivery to it. */
  private readonly holds = new Map<string, number>();
  /** Deliveries without an outcome, by id. */
  private readonly jobs = new Map<string, Job>();
  /** Parked deliveries (see PARK_AFTER_MS), by lane key: at most one per lane. */
  private readonly parked = new Map<string, Job>();
  private parkTick: NodeJS.Timeout | undefined;
  /** Called when the last delivery without an outcome settles (drain). */
  private idleWaiters: Array<() => void> = [];
  private readonly report: DeliveryReport;
  /** Stops each attempt in flight (on close). */
  private readonly inFlight = new Set<() => void>();
  private closed = false;

  constructor(private readonly options: DeliveryQueueOptions) {
    this.report = new DeliveryReport(options.logger);
  }

  /** The reporter's sender and settings; a reporter never registered cannot deliver. Registering again (a reload) applies from each delivery's next attempt. */
  register(reporter: string, sender: Sender, settings: DeliveryConfig = {}): void {
    const merged = { ...DEFAULT_DELIVERY_SETTINGS, ...settings };
    this.reporters.set(reporter, { sender, settings: merged, slots: new Semaphore(merged.concurrency) });
  }

  /** Forgets a reporter a reload removed, once its deliveries are settled (no more sends, no backlog row). */
  unregister(reporter: string): void {
    this.reporters.delete(reporter);
  }

  onOutcome(listener: (outcome: DeliveryOutcome, delivery: QueuedDelivery) => void): void {
    this.report.onOutcome(listener);
  }

  /** Called at each failed attempt, as it fails (an outcome comes only once the delivery settles). */
  onFailedAttempt(listener: (failure: FailedAttempt) => void): void {
    this.report.onFailedAttempt(listener);
  }

  /** Per registered reporter: deliveries not settled yet, and when the oldest was queued. */
  backlog(): Map<string, Backlog> {
    const backlog = new Map<string, Backlog>([...this.reporters.keys()].map((r) => [r, { depth: 0, parked: 0 }]));
    for (const { delivery, state } of this.jobs.values()) {
      const entry = backlog.get(delivery.reporter);
      if (!entry) continue;
      entry.depth++;
      if (state === 'parked') entry.parked++;
      entry.oldestQueuedAt = Math.min(entry.oldestQueuedAt ?? Infinity, delivery.queuedAt);
    }
    return backlog;
  }

  /**
   * The waits remotes asked for that still run (the console's reporter view): one target's
   * (Retry-After; `key` is the target) or, `whole`, every target at an origin (a rate limit).
   */
  holdsNow(now = Date.now()): Hold[] {
    const waits = [
      ...[...this.lanes].map(([key, lane]) => ({ key, until: lane.notBefore ?? 0, whole: false })),
      ...[...this.holds].map(([key, until]) => ({ key, until, whole: true })),
    ];
    // Lanes and holds are keyed `reporter NUL target-or-origin`.
    return waits
      .filter((w) => w.until > now)
      .map(({ key, until, whole }) => {
        const cut = key.indexOf('\u0000');
        return { reporter: key.slice(0, cut), key: key.slice(cut + 1), until, whole };
      });
  }

  /** Queues a delivery and returns at once; `settled` resolves with its outcome. */
  enqueue(reporter: string, delivery: Delivery, origin: DeliveryOrigin = {}): DeliveryHandle {
    const { eventId, receivedAt, restoredId } = origin;
    const settlement = new Settlement();
    const id = restoredId ?? randomUUID();
    const supersede = delivery.supersede !== false;
    // Recorded before it is queued: from here on, a stop or a crash cannot lose it.
    const kept = this.keep({
      id,
      reporter,
      target: delivery.target,
      payload: delivery.payload,
      supersede,
      createdAt: Date.now(),
      ...defined({ eventId }),
    });
    const job: Job = {
      kept,
      delivery: {
        id,
        reporter,
        target: delivery.target,
        payload: delivery.payload,
        attempt: 0,
        queuedAt: Date.now(),
        ...defined({ eventId, receivedAt }),
      },
      supersede,
      state: 'queued',
      laneKey: `${reporter}\u0000${delivery.target}`,
      settle: (outcome) => {
        this.book(() => this.options.ledger?.settled(outcome, Date.now()), job.delivery, 'its outcome');
        if (job.state === 'parked') this.parked.delete(job.laneKey);
        job.state = 'settled';
        job.cancel?.abort(SETTLED);
        job.wake?.();
        this.jobs.delete(id);
        if (this.jobs.size === 0) this.notifyIdle();
        settlement.done(outcome);
        this.report.settled(outcome, job.delivery);
      },
    };
    this.jobs.set(id, job);
    const handle = settlement.handle(id);

    if (this.closed) {
      this.stopped(job, 'it was made as core was shutting down');
      return handle;
    }
    const parked = this.parked.get(job.laneKey);
    if (parked) {
      // A newer delivery to the target replaces the parked one, or waits behind it (back in memory).
      if (job.supersede && !origin.retry)
        this.finish(parked, 'superseded', `superseded by delivery ${job.delivery.id}`);
      else this.unpark(parked);
    }
    const lane = this.laneOf(job.laneKey);
    if (job.supersede && !origin.retry) this.supersedeWaiting(lane, job);
    // Waiting behind another delivery to its target: its payload waits on disk.
    if (lane.current) this.letPayloadGo(job);
    lane.waiting.push(job);
    if (!lane.current) void this.runLane(job.laneKey, lane);
    return handle;
  }

  private laneOf(key: string): Lane {
    let lane = this.lanes.get(key);
    if (!lane) {
      lane = { waiting: [] };
      this.lanes.set(key, lane);
    }
    return lane;
  }

  /** Takes a held delivery out of memory until `dueAt` (see PARK_AFTER_MS). */
  private park(job: Job, dueAt: number): void {
    job.state = 'parked';
    job.dueAt = dueAt;
    this.letPayloadGo(job);
    this.parked.set(job.laneKey, job);
    this.parkTick ??= setInterval(() => this.unparkDue(), PARK_TICK_MS);
  }

  /** Puts a parked delivery first in its lane again; it still waits for its due time there. */
  private unpark(job: Job): void {
    this.parked.delete(job.laneKey);
    job.state = 'queued';
    const lane = this.laneOf(job.laneKey);
    lane.waiting.unshift(job);
    if (!lane.current) void this.runLane(job.laneKey, lane);
    if (this.parked.size === 0) this.stopParkTick();
  }

  private unparkDue(): void {
    const now = Date.now();
    // No copy of the map: this runs often over thousands of parked deliveries (deleting while iterating a Map is safe).
    for (const job of this.parked.values()) if ((job.dueAt ?? 0) <= now) this.unpark(job);
  }

  private stopParkTick(): void {
    clearInterval(this.parkTick);
    this.parkTick = undefined;
  }

  private notifyIdle(): void {
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  /** Queues again what the ledger kept open from an earlier run, oldest first; entries of reporters no longer configured stay in it. */
  restore(entries: readonly StoredDelivery[]): number {
    let restored = 0;
    for (const entry of entries) {
      if (this.jobs.has(entry.id)) continue;
      if (!this.reporters.has(entry.reporter)) {
        this.options.logger.warn(
          { reporter: entry.reporter, target: entry.target, deliveryId: entry.id },
          'unsent delivery of a reporter not in the config: kept in the ledger',
        );
        continue;
      }
      this.enqueue(
        entry.reporter,
        { target: entry.target, payload: entry.payload, supersede: entry.supersede },
        { ...defined({ eventId: entry.eventId }), restoredId: entry.id },
      );
      restored++;
    }
    if (restored) this.options.logger.info({ restored }, 'unsent deliveries from the ledger queued again');
    return restored;
  }

  /**
   * An operator asked to send `entry` again now (`bbreporters deliveries retry`, the console): a
   * delivery still held is tried at once; one that settled (dead) is queued again.
   */
  retry(entry: StoredDelivery): 'woken' | 'queued' | 'unknown-reporter' {
    const job = this.jobs.get(entry.id);
    if (job) {
      job.expedite = true;
      if (job.state === 'parked') this.unpark(job);
      job.wake?.();
      return 'woken';
    }
    if (!this.reporters.has(entry.reporter)) return 'unknown-reporter';
    this.enqueue(
      entry.reporter,
      { target: entry.target, payload: entry.payload, supersede: entry.supersede },
      { ...defined({ eventId: entry.eventId }), restoredId: entry.id, retry: true },
    );
    return 'queued';
  }

  /** Outcome counts so far, per reporter and status (a copy). */
  counts(): DeliveryCounts {
    return this.report.counts();
  }

  /** Deliveries without an outcome yet. */
  get pendingCount(): number {
    return this.jobs.size;
  }

  /** Waits until every queued delivery has its outcome, or `timeoutMs` passes; returns how many are still pending. */
  async drain(timeoutMs = 30_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (this.jobs.size > 0 && Date.now() < deadline) {
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        this.idleWaiters.push(resolve);
        timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
      });
      clearTimeout(timer);
    }
    return this.jobs.size;
  }

  /**
   * Stops (after drain): attempts in flight are aborted and fail, deliveries still waiting fail
   * with a reason saying so; nothing is left without an outcome.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stopParkTick();
    for (const stop of [...this.inFlight]) stop();
    for (const job of [...this.jobs.values()]) {
      if (job.state !== 'sending')
        this.stopped(
          job,
          `core shut down before it was sent${job.delivery.attempt ? ` (after ${plural(job.delivery.attempt, 'failed attempt')})` : ''}`,
        );
    }
  }

  /** Records a new delivery in the ledger; false (logged) when it could not be kept, e.g. a full disk. */
  private keep(delivery: Parameters<DeliveryLedger['add']>[0]): boolean {
    const ledger = this.options.ledger;
    if (!ledger) return false;
    try {
      return ledger.add(delivery);
    } catch (error) {
      this.options.logger.error(
        {
          delivery: { reporter: delivery.reporter, deliveryId: delivery.id, target: delivery.target },
          err: reasonOf(error),
        },
        'delivery not kept in the ledger: it is lost if core stops before it is sent',
      );
      return false;
    }
  }

  /** Ledger bookkeeping after a send or an attempt: a failure to write is logged, never thrown into the send path. */
  private book(write: () => void, delivery: QueuedDelivery, what: string): void {
    try {
      write();
    } catch (error) {
      this.options.logger.error(
        {
          delivery: { reporter: delivery.reporter, deliveryId: delivery.id, target: delivery.target },
          err: reasonOf(error),
        },
        `could not record ${what} in the ledger: an unsent delivery may be sent again after the next start`,
      );
    }
  }

  /** A delivery the ledger keeps waits without its payload in memory. */
  private letPayloadGo(job: Job): void {
    if (!job.kept || job.payloadOnDisk) return;
    job.payloadOnDisk = true;
    job.delivery = { ...job.delivery, payload: undefined };
  }

  /** The payload of a job that waited without it, read back from the ledger; false when it is gone. */
  private payloadBack(job: Job): boolean {
    if (!job.payloadOnDisk) return true;
    let payload: unknown;
    try {
      payload = this.options.ledger?.payload(job.delivery.id);
    } catch (error) {
      this.options.logger.error({ deliveryId: job.delivery.id, err: reasonOf(error) }, 'ledger read failed');
    }
    if (payload === undefined) return false;
    job.payloadOnDisk = false;
    job.delivery = { ...job.delivery, payload };
    return true;
  }

  /** Core stopped before `job` was sent: deferred to the next start when the ledger keeps it, else failed. */
  private stopped(job: Job, why: string): void {
    if (job.kept) this.finish(job, 'deferred', `${why}; kept in the ledger, it is sent after the next start`);
    else this.finish(job, 'failed', why);
  }

  private supersedeWaiting(lane: Lane, newer: Job): void {
    const reason = `superseded by delivery ${newer.delivery.id}`;
    for (const older of lane.waiting) this.finish(older, 'superseded', reason);
    lane.waiting = [];
    const current = lane.current;
    if (!current) return;
    if (current.state === 'sending') current.replacedBy = newer.delivery.id;
    else if (current.state !== 'settled') this.finish(current, 'superseded', reason);
  }

  private async runLane(key: string, lane: Lane): Promise<void> {
    for (let job = lane.waiting.shift(); job; job = lane.waiting.shift()) {
      lane.current = job;
      if (job.state !== 'settled') await this.process(job, lane);
      lane.current = undefined;
    }
    this.lanes.delete(key);
  }

  private async process(job: Job, lane: Lane): Promise<void> {
    const registered = this.reporters.get(job.delivery.reporter);
    if (!registered)
      return this.finish(job, 'failed', 'the reporter cannot deliver: it has no send() and core has no sender for it');
    if (!this.payloadBack(job))
      return this.finish(job, 'failed', 'its payload is no longer in the ledger (deleted while it waited)');
    const problem = registered.sender.preflight?.(job.delivery);
    if (problem) return this.finish(job, 'failed', problem);
    if (this.options.dryRun) return this.finish(job, 'previewed');
    for (;;) {
      if (!this.payloadBack(job))
        return this.finish(job, 'failed', 'its payload is no longer in the ledger (deleted while it waited)');
      // Read at each attempt: once a reload registers a reporter anew, its new sender and settings send what is queued.
      const reporter = this.reporters.get(job.delivery.reporter) ?? registered;
      const { settings } = reporter;
      const holdKey = holdKeyOf(reporter.sender, job.delivery);
      const until = Math.max(lane.notBefore ?? 0, this.holdUntil(holdKey), job.dueAt ?? 0);
      const hold = job.expedite ? 0 : until - Date.now();
      job.expedite = false;
      job.dueAt = undefined;
      if (hold > 0) {
        await this.wait(job, hold);
        if (isSettled(job)) return;
        continue;
      }
      const release = await reporter.slots.acquire((job.cancel ??= new AbortController()).signal);
      if (!release || isSettled(job)) {
        release?.();
        return;
      }
      job.state = 'sending';
      job.delivery = { ...job.delivery, attempt: job.delivery.attempt + 1 };
      let sent: { response: unknown } | undefined;
      let failure: unknown;
      try {
        sent = { response: await attemptSend(reporter.sender, job.delivery, settings.timeoutMs, this.inFlight) };
      } catch (error) {
        failure = error;
      } finally {
        release();
      }
      // Outside the try: bookkeeping that fails after a send (a full disk) must never count as a failed send.
      if (sent) return this.finish(job, 'sent', undefined, sent.response);
      const reason = failureReason(failure, job.delivery, reporter.sender, this.options.secrets);
      const attempts = job.delivery.attempt;
      const last = this.lastAttemptEnding(job, failure, reason, settings.retries);
      if (last) {
        this.notifyFailedAttempt({ delivery: job.delivery, reason }, failure);
        return last();
      }
      const hinted = (failure as { retryAfterMs?: unknown })?.retryAfterMs;
      const waitMs = retryDelay(attempts, settings, typeof hinted === 'number' ? hinted : undefined);
      if (typeof hinted === 'number') {
        lane.notBefore = Date.now() + waitMs;
        // A rate limit is the remote's, not one resource's: the reporter's other targets there wait too.
        if (holdKey && reporter.sender.holdsAll?.(failure))
          this.holds.set(holdKey, Math.max(this.holdUntil(holdKey), lane.notBefore));
      }
      this.notifyFailedAttempt({ delivery: job.delivery, reason, retryInMs: waitMs }, failure);
      // A long wait with nothing behind it: parked, nothing of it runs until it is due.
      if (job.kept && waitMs >= PARK_AFTER_MS && lane.waiting.length === 0) return this.park(job, Date.now() + waitMs);
      await this.wait(job, waitMs);
      if (isSettled(job)) return;
    }
  }

  /** Holds `job` for `ms` (its payload on disk meanwhile), or until it settles or an operator wakes it. */
  private wait(job: Job, ms: number): Promise<void> {
    job.state = 'backoff';
    this.letPayloadGo(job);
    return new Promise((resolve) => {
      // Ended early by settle() (superseded, closed) or an operator's retry.
      const done = () => {
        clearTimeout(timer);
        job.wake = undefined;
        if (job.state === 'backoff') job.state = 'queued';
        resolve();
      };
      const timer = setTimeout(done, ms);
      job.wake = done;
    });
  }

  /** How a delivery ends after its failed attempt when it is not retried, or undefined when it is. */
  private lastAttemptEnding(job: Job, failure: unknown, reason: string, retries: number): (() => void) | undefined {
    const attempts = job.delivery.attempt;
    if (this.closed) return () => this.stopped(job, `attempt ${attempts} failed as core shut down: ${reason}`);
    if (job.replacedBy && (failure as { retryable?: unknown } | undefined)?.retryable !== false)
      return () =>
        this.finish(
          job,
          'superseded',
          `attempt ${attempts} failed (${reason}); superseded by delivery ${job.replacedBy}`,
        );
    const final = finalFailure(failure, attempts, retries, reason);
    return final === undefined ? undefined : () => this.finish(job, 'failed', final);
  }

  private notifyFailedAttempt(failure: FailedAttempt, error: unknown): void {
    const status = (error as { status?: unknown } | null)?.status;
    this.book(
      () =>
        this.options.ledger?.attemptFailed(failure.delivery.id, {
          at: Date.now(),
          reason: failure.reason,
          ...defined({
            response: typeof status === 'number' ? { status } : undefined,
            retryAt: failure.retryInMs === undefined ? undefined : Date.now() + failure.retryInMs,
          }),
        }),
      failure.delivery,
      'a failed attempt',
    );
    this.report.attemptFailed(failure);
  }

  private holdUntil(holdKey: string | undefined): number {
    if (!holdKey) return 0;
    const until = this.holds.get(holdKey) ?? 0;
    if (until && until <= Date.now()) this.holds.delete(holdKey);
    return until;
  }

  private finish(job: Job, status: DeliveryStatus, reason?: string, response?: unknown): void {
    if (job.state === 'settled') return;
    const d = job.delivery;
    job.settle({
      reporter: d.reporter,
      deliveryId: d.id,
      target: d.target,
      ...defined({ eventId: d.eventId }),
      status,
      attempts: d.attempt,
      ...defined({ reason, response }),
    });
  }
}

/** Whether `job` has its outcome (a function: what the compiler narrowed before an await may have changed since). */
function isSettled(job: Job): boolean {
  return job.state === 'settled';
}

/** `reporter + the sender's hold key` (undefined when the sender has none for this delivery). */
function holdKeyOf(sender: Sender, delivery: QueuedDelivery): string | undefined {
  const key = sender.holdKey?.(delivery);
  return key === undefined ? undefined : `${delivery.reporter}\u0000${key}`;
}
