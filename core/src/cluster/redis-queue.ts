/**
 * Deliveries as BullMQ jobs on the shared Redis (`queue: {type: redis}`): any instance queues,
 * workers on every instance send (an exclusive reporter's only where its lease is held), with the
 * semantics of this process's queue (../deliveries/queue.ts): per-target order and supersede
 * across instances (./lane-scripts.ts), backoff and Retry-After as BullMQ delays, a rate limit
 * holding an origin for every instance, every delivery ending with one outcome.
 *
 * A delivery's job id is its delivery id, derived from reporter, event, target and its rank among
 * the event's deliveries to that target: a second instance dispatching the same event, or a
 * restart queueing again what its ledger kept, adds nothing twice (finished jobs are kept for the
 * dedupe ttl). The instance that received the event keeps the delivery in its ledger (its outbox:
 * added before the job, so nothing is lost if Redis is away) and records its failed attempts and
 * its outcome there, from whichever instance sent it (through that instance's inbox list in Redis,
 * which waits for it if it is down).
 */
import { createHash, randomUUID } from 'node:crypto';
import { DelayedError, Queue, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { retryDelay } from '../deliveries/backoff.js';
import { attemptSend, failureReason, finalFailure } from '../deliveries/attempt.js';
import { DeliveryReport } from '../deliveries/delivery-report.js';
import type {
  Backlog,
  Deliveries,
  DeliveryCounts,
  DeliveryOrigin,
  DeliverySettings,
  FailedAttempt,
  Hold,
  Sender,
} from '../deliveries/deliveries.js';
import { DEFAULT_DELIVERY_SETTINGS } from '../deliveries/queue.js';
import { Settlement } from '../deliveries/settlement.js';
import type { DeliveryOutcome, DeliveryStatus } from '../dispatch/outcomes.js';
import { reasonOf } from '../diagnostics/errors.js';
import type { Logger } from '../diagnostics/logger.js';
import type { DeliveryConfig } from '../generated/schemas.js';
import { setNewest } from '../lang/bounded-map.js';
import { defined } from '../lang/defined.js';
import { within } from '../lang/within.js';
import type { DeliveryLedger, StoredDelivery } from '../ledger/ledger.js';
import type { Delivery, DeliveryHandle, QueuedDelivery } from '../plugin-api.js';
import type { Cluster } from './cluster.js';
import { connectRedis } from './redis-connection.js';
import { BEGIN, END, ENQUEUE, FORGET } from './lane-scripts.js';
import { RENEW_IF_HOLDER } from './lease.js';

/** A delivery behind an older one to its target looks again this often (it is also woken when the older one settles). */
const BEHIND_RECHECK_MS = 1000;
/** An open entry whose job does not exist this long is an instance's leftover (it died between the two writes). */
const ORPHAN_AFTER_MS = 5000;
/** How long the ingest answer waits for the jobs to reach Redis; later, they are in the ledger and reach it when it is back. */
const SHARED_WAIT_MS = 5000;
/** How long a stop waits for BullMQ to close its queues and workers. */
const CLOSE_WAIT_MS = 5000;
/** How many handles wait for their outcome at most. */
const SETTLEMENTS_KEPT = 100_000;
/** How often the backlog counts are read from Redis (metrics, the console, a reload's retiring). */
const BACKLOG_REFRESH_MS = 1000;

/** A job's data: the delivery and what the lanes need. */
interface JobData {
  deliveryId: string;
  reporter: string;
  target: string;
  payload: unknown;
  supersede: boolean;
  eventId?: string;
  receivedAt?: number;
  queuedAt: number;
  /** The instance whose ledger keeps it. */
  origin: string;
  seq: number;
  /** Failed attempts so far. */
  attempts: number;
  /** An operator asked for it now: remotes' holds do not apply to its next attempt. */
  expedite?: boolean;
}

/** A job's return value: its outcome, for the instance whose ledger keeps it. */
interface JobOutcome extends DeliveryOutcome {
  origin: string;
  by: string;
}

/** What another instance tells the receiving one: an outcome, or a failed attempt of a delivery. */
interface InboxNote {
  outcome?: JobOutcome;
  attempt?: AttemptProgress;
  deliveryId?: string;
}

/** A failed attempt: for the instance whose ledger keeps it. */
interface AttemptProgress {
  origin: string;
  by: string;
  attempt: number;
  reason: string;
  status?: number;
  retryAt?: number;
}

interface ReporterState {
  sender: Sender;
  settings: DeliverySettings;
  queue: Queue<JobData>;
  worker: Worker<JobData>;
  exclusive: boolean;
  serving: boolean;
}

export interface RedisDeliveryQueueOptions {
  logger: Logger;
  secrets?: Set<string>;
  ledger?: DeliveryLedger;
}

export class RedisDeliveryQueue implements Deliveries {
  private readonly reporters = new Map<string, ReporterState>();
  private readonly redis: Redis;
  /** BullMQ's queues and workers use this one (workers duplicate it for their blocking reads). */
  private readonly bull: Redis;
  /** Blocking reads of this instance's inbox (see tellOrigin). */
  private readonly inbox: Redis;
  private readonly report: DeliveryReport;
  /** Handles of deliveries queued here, until their outcome comes (the newest SETTLEMENTS_KEPT: an outcome told elsewhere never comes). */
  private readonly settlements = new Map<string, Settlement>();
  /** Job additions not yet acknowledged by Redis. */
  private readonly adding = new Set<Promise<unknown>>();
  /** Jobs this instance is working on. */
  private active = 0;
  private idleWaiters: Array<() => void> = [];
  private readonly inFlight = new Set<() => void>();
  /** Deliveries queued per event and target so far: a delivery's rank in its job id. */
  private readonly ranks = new Map<string, number>();
  /** Open entries seen without a job, and since when. */
  private readonly missing = new Map<string, number>();
  private backlogs = new Map<string, Backlog>();
  private readonly holds = new Map<string, Hold>();
  private readonly refresh: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly cluster: Cluster,
    private readonly options: RedisDeliveryQueueOptions,
  ) {
    this.redis = cluster.redis;
    this.report = new DeliveryReport(options.logger);
    this.bull = connectRedis(cluster.settings.url, options.logger, 'jobs');
    this.inbox = connectRedis(cluster.settings.url, options.logger, 'inbox');
    void this.readInbox();
    this.refresh = setInterval(() => void this.readBacklogs(), BACKLOG_REFRESH_MS);
    this.refresh.unref();
  }

  private get instance(): string {
    return this.cluster.settings.instance;
  }

  register(reporter: string, sender: Sender, settings: DeliveryConfig = {}, exclusive = false): void {
    const merged = { ...DEFAULT_DELIVERY_SETTINGS, ...settings };
    const existing = this.reporters.get(reporter);
    if (existing) {
      // A reload: the new sender and settings apply from each job's next attempt.
      existing.sender = sender;
      existing.settings = merged;
      existing.worker.concurrency = merged.concurrency;
      return;
    }
    const name = `deliveries.${reporter}`;
    const connection = this.bull;
    const prefix = this.cluster.settings.prefix;
    const queue = new Queue<JobData>(name, { connection, prefix });
    const leaseMs = this.cluster.settings.leaseMs;
    const worker = new Worker<JobData>(name, (job, token) => this.process(job, token), {
      connection,
      prefix,
      concurrency: merged.concurrency,
      autorun: false,
      // A dead instance's jobs go back to wait within about a lease; they may run twice (docs/scale-out.md).
      lockDuration: leaseMs,
      stalledInterval: Math.max(1000, leaseMs / 2),
      maxStalledCount: 1000,
    });
    worker.on('error', (error) =>
      this.options.logger.warn({ reporter, err: reasonOf(error) }, 'delivery worker: Redis error'),
    );
    const state: ReporterState = { sender, settings: merged, queue, worker, exclusive, serving: false };
    this.reporters.set(reporter, state);
    if (!exclusive) this.serve(reporter, true);
  }

  /** Starts or stops this instance's worker for `reporter` (an exclusive reporter's: while its lease is held). */
  serve(reporter: string, on: boolean): void {
    const state = this.reporters.get(reporter);
    if (!state || state.serving === on || this.closed) return;
    state.serving = on;
    if (on) {
      if (state.worker.isPaused()) state.worker.resume();
      else if (!state.worker.isRunning())
        void state.worker
          .run()
          .catch((error: unknown) =>
            this.options.logger.error({ reporter, err: reasonOf(error) }, 'delivery worker stopped'),
          );
    } else void state.worker.pause(true);
  }

  unregister(reporter: string): void {
    const state = this.reporters.get(reporter);
    if (!state) return;
    this.reporters.delete(reporter);
    void this.closeReporter(state);
  }

  onOutcome(listener: (outcome: DeliveryOutcome, delivery: QueuedDelivery) => void): void {
    this.report.onOutcome(listener);
  }

  onFailedAttempt(listener: (failure: FailedAttempt) => void): void {
    this.report.onFailedAttempt(listener);
  }

  backlog(): Map<string, Backlog> {
    return new Map([...this.reporters.keys()].map((r) => [r, this.backlogs.get(r) ?? { depth: 0, parked: 0 }]));
  }

  holdsNow(now = Date.now()): Hold[] {
    return [...this.holds.values()].filter((h) => h.until > now);
  }

  counts(): DeliveryCounts {
    return this.report.counts();
  }

  get pendingCount(): number {
    return this.adding.size + this.active;
  }

  enqueue(reporter: string, delivery: Delivery, origin: DeliveryOrigin = {}): DeliveryHandle {
    const { eventId, receivedAt, restoredId } = origin;
    const id = restoredId ?? this.deliveryId(reporter, delivery.target, eventId);
    const supersede = delivery.supersede !== false;
    const settlement = new Settlement();
    setNewest(this.settlements, id, settlement, SETTLEMENTS_KEPT);
    const queuedAt = Date.now();
    // The outbox first: if Redis is away or this instance dies before the job is added, the next start adds it.
    this.keep({
      id,
      reporter,
      target: delivery.target,
      payload: delivery.payload,
      supersede,
      createdAt: queuedAt,
      ...defined({ eventId }),
    });
    this.track(
      this.addJob(reporter, {
        deliveryId: id,
        reporter,
        target: delivery.target,
        payload: delivery.payload,
        supersede,
        queuedAt,
        origin: this.instance,
        seq: 0,
        attempts: 0,
        ...defined({ eventId, receivedAt }),
      }),
    );
    return settlement.handle(id);
  }

  /** Deterministic where there is an event: `d` + a hash of reporter, event, target and the delivery's rank among them. */
  private deliveryId(reporter: string, target: string, eventId: string | undefined): string {
    if (eventId === undefined) return randomUUID();
    const key = `${reporter}\u0000${eventId}\u0000${target}`;
    const rank = (this.ranks.get(key) ?? 0) + 1;
    setNewest(this.ranks, key, rank, 10_000);
    return `d${createHash('sha256').update(`${key}\u0000${rank}`).digest('hex').slice(0, 40)}`;
  }

  restore(entries: readonly StoredDelivery[]): number {
    let restored = 0;
    for (const entry of entries) {
      if (!this.reporters.has(entry.reporter)) continue;
      restored++;
      this.track(this.restoreOne(entry));
    }
    if (restored)
      this.options.logger.info({ restored }, 'open deliveries from the ledger checked against the shared queue');
    return restored;
  }

  /** An open ledger entry: its job is waiting or running (nothing to do), finished while this instance was away (its outcome recorded now), or missing (added). */
  private async restoreOne(entry: StoredDelivery): Promise<void> {
    const state = this.reporters.get(entry.reporter)!;
    const job = await state.queue.getJob(entry.id);
    if (job) {
      const outcome = job.returnvalue as JobOutcome | undefined;
      if (outcome?.status) this.recordAtOrigin(outcome);
      return;
    }
    await this.addJob(entry.reporter, {
      deliveryId: entry.id,
      reporter: entry.reporter,
      target: entry.target,
      payload: entry.payload,
      supersede: entry.supersede,
      queuedAt: Date.now(),
      origin: this.instance,
      seq: 0,
      attempts: 0,
      ...defined({ eventId: entry.eventId }),
    });
  }

  retry(entry: StoredDelivery): 'woken' | 'queued' | 'unknown-reporter' {
    if (!this.reporters.has(entry.reporter)) return 'unknown-reporter';
    this.track(this.retryOne(entry));
    return 'queued';
  }

  private async retryOne(entry: StoredDelivery): Promise<void> {
    const state = this.reporters.get(entry.reporter)!;
    const job = await state.queue.getJob(entry.id);
    const jobState = await job?.getState();
    if (job && (jobState === 'delayed' || jobState === 'waiting')) {
      await job.updateData({ ...job.data, expedite: true });
      if (jobState === 'delayed') await job.promote().catch(() => undefined);
      return;
    }
    // Settled (dead): queued again under a new job id, recorded under the same delivery.
    await this.addJob(
      entry.reporter,
      {
        deliveryId: entry.id,
        reporter: entry.reporter,
        target: entry.target,
        payload: entry.payload,
        supersede: false,
        queuedAt: Date.now(),
        origin: this.instance,
        seq: 0,
        attempts: 0,
        expedite: true,
        ...defined({ eventId: entry.eventId }),
      },
      `${entry.id}-retry-${Date.now()}`,
    );
  }

  async drain(timeoutMs = 30_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    await Promise.race([Promise.allSettled([...this.adding]), sleep(timeoutMs)]);
    while (this.active > 0 && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        this.idleWaiters.push(resolve);
        setTimeout(resolve, Math.max(0, deadline - Date.now()));
      });
    }
    return this.pendingCount;
  }

  async shared(): Promise<void> {
    if (this.adding.size) await Promise.race([Promise.allSettled([...this.adding]), sleep(SHARED_WAIT_MS)]);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.refresh);
    for (const stop of [...this.inFlight]) stop();
    // Bounded: BullMQ's close waits for Redis, which may be away; then the connections are cut.
    await within(
      CLOSE_WAIT_MS,
      Promise.allSettled([...this.reporters.values()].map((s) => this.closeReporter(s))),
    ).catch(() => this.options.logger.warn('shared queue: Redis did not answer at stop; connections cut'));
    this.bull.disconnect();
    this.inbox.disconnect();
    // What this instance queued and no one settled yet is in Redis (and in its ledger): other instances send it.
    this.settlements.clear();
  }

  private async closeReporter(state: ReporterState): Promise<void> {
    await Promise.allSettled([state.worker.close(), state.queue.close()]);
  }

  private track(promise: Promise<unknown>): void {
    const tracked = promise.catch((error: unknown) =>
      this.options.logger.error(
        { err: reasonOf(error) },
        'shared queue: could not add a delivery (kept in the ledger, queued again at the next start)',
      ),
    );
    this.adding.add(tracked);
    void tracked.finally(() => {
      this.adding.delete(tracked);
      this.wakeIfIdle();
    });
  }

  /**
   * Sequences the delivery in its lane, adds its job, and wakes what it superseded so they settle
   * now. A job that exists already (the same event dispatched again by another instance, a restart
   * queueing its ledger's open deliveries) is left as it is: sequenced again, a delivery already
   * settled would hold its target for ever, and one still open would lose its place.
   */
  private async addJob(reporter: string, data: JobData, jobId = data.deliveryId): Promise<void> {
    const state = this.reporters.get(reporter);
    if (!state) throw new Error(`reporter "${reporter}" is not registered`);
    if (await state.queue.getJob(jobId)) return;
    const keys = this.laneKeys(reporter, data.target);
    const [seq, superseded] = (await this.redis.eval(
      ENQUEUE,
      3,
      keys.lane,
      keys.open,
      keys.settled(jobId),
      jobId,
      data.supersede && !data.expedite ? '1' : '0',
      String(this.cluster.settings.dedupeTtlMs),
    )) as [number, string[]];
    const ttlS = Math.ceil(this.cluster.settings.dedupeTtlMs / 1000);
    await state.queue.add(
      'deliver',
      { ...data, seq },
      {
        jobId,
        // Kept for the dedupe ttl: a twin added meanwhile is a no-op, and a late ledger learns the outcome.
        removeOnComplete: { age: ttlS },
        removeOnFail: { age: ttlS },
        // Only unexpected errors (a Redis script failing) fail a job; they are retried, never dropped.
        attempts: 1000,
        backoff: { type: 'fixed', delay: 1000 },
      },
    );
    for (const older of superseded) void this.wake(state, older);
  }

  /** Moves a delayed job to wait, so it runs (and settles) now. */
  private async wake(state: ReporterState, jobId: string): Promise<void> {
    const job = await state.queue.getJob(jobId).catch(() => undefined);
    if (job && (await job.isDelayed().catch(() => false))) await job.promote().catch(() => undefined);
  }

  private laneKeys(reporter: string, target: string) {
    const lane = this.cluster.key('lane', createHash('sha1').update(`${reporter}\u0000${target}`).digest('hex'));
    return {
      lane,
      open: `${lane}:open`,
      lock: `${lane}:lock`,
      settled: (jobId: string) => this.cluster.key('settled', jobId),
    };
  }

  private holdKey(reporter: string, key: string | undefined): string {
    return this.cluster.key(
      'hold',
      key === undefined ? 'none' : createHash('sha1').update(`${reporter}\u0000${key}`).digest('hex'),
    );
  }

  /** One run of a job: settles it, or moves it to delayed (a retry, a hold, an older delivery first). */
  private async process(job: Job<JobData>, token: string | undefined): Promise<JobOutcome> {
    this.active++;
    try {
      return await this.processOnce(job, token);
    } finally {
      this.active--;
      this.wakeIfIdle();
    }
  }

  private async processOnce(job: Job<JobData>, token: string | undefined): Promise<JobOutcome> {
    const data = job.data;
    const jobId = job.id ?? data.deliveryId;
    const state = this.reporters.get(data.reporter);
    if (!state) throw new Error(`reporter "${data.reporter}" is not configured on instance ${this.instance}`);
    const { sender, settings } = state;
    const delivery: QueuedDelivery = {
      id: data.deliveryId,
      reporter: data.reporter,
      target: data.target,
      payload: data.payload,
      attempt: data.attempts + 1,
      queuedAt: data.queuedAt,
      ...defined({ eventId: data.eventId, receivedAt: data.receivedAt }),
    };
    const problem = sender.preflight?.(delivery);
    if (problem) return this.settle(job, delivery, 'failed', problem);
    const keys = this.laneKeys(data.reporter, data.target);
    const hold = sender.holdKey?.(delivery);
    const lockToken = `${this.instance} ${randomUUID()}`;
    // As long as a lease: a dead sender holds its target that long at most; renewed while a send runs.
    const lockTtl = this.cluster.settings.leaseMs;
    const begin = (await this.redis.eval(
      BEGIN,
      5,
      keys.lane,
      keys.open,
      keys.lock,
      this.holdKey(data.reporter, hold),
      keys.settled(jobId),
      jobId,
      String(data.seq),
      lockToken,
      String(lockTtl),
      String(Date.now()),
      data.expedite ? '1' : '0',
    )) as string[];
    switch (begin[0]) {
      case 'superseded':
        return this.settle(job, delivery, 'superseded', `superseded by delivery ${begin[1]}`, undefined, data.attempts);
      case 'settled':
        return this.settle(
          job,
          delivery,
          begin[1] as DeliveryStatus,
          'its attempt was recorded before the instance sending it stopped',
          undefined,
          data.attempts,
        );
      case 'behind':
        return this.later(job, token, await this.behind(state, keys.open, begin[1]));
      case 'hold':
        return this.later(job, token, Number(begin[1]));
      case 'locked':
        return this.later(job, token, Date.now() + Math.min(Math.max(Number(begin[1]), 50), BEHIND_RECHECK_MS));
    }
    let sent: { response: unknown } | undefined;
    let failure: unknown;
    try {
      sent = {
        response: await this.whileLocked(keys.lock, lockToken, lockTtl, () =>
          attemptSend(sender, delivery, settings.timeoutMs, this.inFlight),
        ),
      };
    } catch (error) {
      failure = error;
    }
    const attempts = delivery.attempt;
    const reason = sent ? undefined : failureReason(failure, delivery, sender, this.options.secrets);
    const hinted = (failure as { retryAfterMs?: unknown } | undefined)?.retryAfterMs;
    const final = sent || this.closed ? undefined : finalFailure(failure, attempts, settings.retries, reason!);
    const waitMs = sent || final ? 0 : retryDelay(attempts, settings, typeof hinted === 'number' ? hinted : undefined);
    const notBefore = typeof hinted === 'number' ? Date.now() + waitMs : 0;
    const [sb, sbId, next] = (await this.redis.eval(
      END,
      4,
      keys.lane,
      keys.open,
      keys.lock,
      keys.settled(jobId),
      jobId,
      lockToken,
      sent ? 'sent' : final ? 'failed' : '',
      String(notBefore),
      String(this.cluster.settings.dedupeTtlMs),
    )) as [string, string, string];
    if (next && next !== jobId) void this.wake(state, next);
    if (sent) return this.settle(job, delivery, 'sent', undefined, jsonSafe(sent.response));
    if (final) {
      this.failedAttempt(job, delivery, reason!, failure);
      return this.settle(job, delivery, 'failed', final);
    }
    if (Number(sb) > data.seq) {
      await this.redis.eval(FORGET, 1, keys.open, jobId);
      return this.settle(
        job,
        delivery,
        'superseded',
        `attempt ${attempts} failed (${reason}); superseded by delivery ${sbId}`,
      );
    }
    if (notBefore) {
      this.holds.set(keys.lane, { reporter: data.reporter, key: data.target, until: notBefore, whole: false });
      // A rate limit is the remote's, not one target's: every instance's deliveries there wait too.
      if (hold !== undefined && sender.holdsAll?.(failure)) {
        const holdKey = this.holdKey(data.reporter, hold);
        await this.redis.set(holdKey, '1', 'PX', waitMs, 'NX');
        await this.redis.pexpire(holdKey, waitMs, 'GT');
        this.holds.set(holdKey, { reporter: data.reporter, key: hold, until: notBefore, whole: true });
      }
    }
    this.failedAttempt(job, delivery, reason!, failure, waitMs);
    await job.updateData({ ...data, attempts, expedite: false });
    return this.later(job, token, Date.now() + waitMs);
  }

  /** Runs `send` while renewing the lane's lock every third of its ttl. */
  private async whileLocked<T>(lock: string, token: string, ttlMs: number, send: () => Promise<T>): Promise<T> {
    const renew = setInterval(
      () => void this.redis.eval(RENEW_IF_HOLDER, 1, lock, token, String(ttlMs)).catch(() => undefined),
      ttlMs / 3,
    );
    try {
      return await send();
    } finally {
      clearInterval(renew);
    }
  }

  /** When to look again at a job behind `head` in its lane; an entry whose job never came is taken away. */
  private async behind(state: ReporterState, open: string, head: string): Promise<number> {
    const job = await state.queue.getJob(head).catch(() => null);
    const jobState = await job?.getState().catch(() => 'unknown');
    if (jobState === 'completed' || jobState === 'failed') {
      // Settled, yet open: it can never be sent again, so it no longer holds its target.
      await this.redis.eval(FORGET, 1, open, head);
      return Date.now();
    }
    if (job !== undefined) {
      this.missing.delete(head);
      return Date.now() + BEHIND_RECHECK_MS;
    }
    const since = this.missing.get(head) ?? Date.now();
    setNewest(this.missing, head, since, 1000);
    if (Date.now() - since >= ORPHAN_AFTER_MS) {
      this.options.logger.warn(
        { deliveryId: head },
        'shared queue: an open delivery without a job (its instance died as it queued it) no longer holds its target',
      );
      await this.redis.eval(FORGET, 1, open, head);
      this.missing.delete(head);
      return Date.now();
    }
    return Date.now() + Math.min(BEHIND_RECHECK_MS, ORPHAN_AFTER_MS);
  }

  /** Moves the job to delayed until `at` (BullMQ's documented way: moveToDelayed, then DelayedError). */
  private async later(job: Job<JobData>, token: string | undefined, at: number): Promise<never> {
    await job.moveToDelayed(Math.max(at, Date.now() + 1), token);
    throw new DelayedError();
  }

  private failedAttempt(
    job: Job<JobData>,
    delivery: QueuedDelivery,
    reason: string,
    error: unknown,
    /** Absent: this attempt was its last. */
    retryInMs?: number,
  ): void {
    const status = (error as { status?: unknown } | null)?.status;
    const progress: AttemptProgress = {
      origin: job.data.origin,
      by: this.instance,
      attempt: delivery.attempt,
      reason,
      ...defined({
        status: typeof status === 'number' ? status : undefined,
        retryAt: retryInMs === undefined ? undefined : Date.now() + retryInMs,
      }),
    };
    if (job.data.origin === this.instance) this.recordAttemptAtOrigin(delivery.id, progress);
    else this.tellOrigin({ attempt: progress, deliveryId: delivery.id });
    this.report.attemptFailed({ delivery, reason, ...defined({ retryInMs }) });
  }

  private settle(
    job: Job<JobData>,
    delivery: QueuedDelivery,
    status: DeliveryStatus,
    reason?: string,
    response?: unknown,
    attempts = delivery.attempt,
  ): JobOutcome {
    const outcome: JobOutcome = {
      reporter: delivery.reporter,
      deliveryId: delivery.id,
      target: delivery.target,
      ...defined({ eventId: delivery.eventId }),
      status,
      attempts,
      ...defined({ reason, response }),
      origin: job.data.origin,
      by: this.instance,
    };
    this.report.settled(withoutRouting(outcome), delivery);
    if (outcome.origin === this.instance) this.recordAtOrigin(outcome);
    else this.tellOrigin({ outcome });
    return outcome;
  }

  /**
   * Tells the instance whose ledger keeps a delivery what became of it: a list per instance in
   * Redis (kept for the dedupe ttl), read by that instance, or at its next start if it is down.
   */
  private tellOrigin(note: InboxNote): void {
    const origin = note.outcome?.origin ?? note.attempt!.origin;
    const key = this.cluster.key('inbox', origin);
    void this.redis
      .multi()
      .rpush(key, JSON.stringify(note))
      .pexpire(key, this.cluster.settings.dedupeTtlMs)
      .exec()
      .catch((error: unknown) =>
        this.options.logger.warn({ origin, err: reasonOf(error) }, 'could not tell the receiving instance an outcome'),
      );
  }

  /** Reads this instance's inbox (outcomes and failed attempts of its deliveries that others sent) until closed. */
  private async readInbox(): Promise<void> {
    const key = this.cluster.key('inbox', this.instance);
    while (!this.closed) {
      let item: [string, string] | null;
      try {
        item = await this.inbox.blpop(key, 1);
      } catch (error) {
        if (this.closed) return;
        this.options.logger.warn({ err: reasonOf(error) }, 'inbox: Redis error');
        await sleep(500);
        continue;
      }
      const note = item && parsed<InboxNote>(item[1]);
      if (note?.outcome) this.recordAtOrigin(note.outcome);
      else if (note?.attempt && note.deliveryId) this.recordAttemptAtOrigin(note.deliveryId, note.attempt);
    }
  }

  private recordAtOrigin(outcome: JobOutcome): void {
    const plain = withoutRouting(outcome);
    this.book(() => this.options.ledger?.settled(plain, Date.now()), 'its outcome');
    const settlement = this.settlements.get(outcome.deliveryId);
    this.settlements.delete(outcome.deliveryId);
    settlement?.done(plain);
  }

  private recordAttemptAtOrigin(deliveryId: string, progress: AttemptProgress): void {
    this.book(
      () =>
        this.options.ledger?.attemptFailed(deliveryId, {
          at: Date.now(),
          reason: progress.reason,
          ...defined({
            response: progress.status === undefined ? undefined : { status: progress.status },
            retryAt: progress.retryAt,
          }),
        }),
      'a failed attempt',
    );
  }

  private keep(delivery: Parameters<DeliveryLedger['add']>[0]): void {
    this.book(() => this.options.ledger?.add(delivery), 'a new delivery');
  }

  private book(write: () => void, what: string): void {
    try {
      write();
    } catch (error) {
      this.options.logger.error({ err: reasonOf(error) }, `could not record ${what} in the ledger`);
    }
  }

  private async readBacklogs(): Promise<void> {
    const next = new Map<string, Backlog>();
    for (const [reporter, state] of this.reporters) {
      try {
        const counts = await state.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
        const depth = Object.values(counts).reduce((a, b) => a + b, 0);
        next.set(reporter, { depth, parked: counts.delayed ?? 0 });
      } catch {
        return; // Redis away: the last counts stand
      }
    }
    this.backlogs = next;
  }

  private wakeIfIdle(): void {
    if (this.active === 0 && this.adding.size === 0) for (const wake of this.idleWaiters.splice(0)) wake();
  }
}

function withoutRouting(outcome: JobOutcome): DeliveryOutcome {
  const { origin: _origin, by: _by, ...plain } = outcome;
  return plain;
}

function parsed<T>(value: unknown): T | undefined {
  if (typeof value !== 'string') return value as T | undefined;
  try {
    return JSON.parse(value) as T;
  } catch {
    return undefined;
  }
}

/** A sender's response as JSON can carry it (a job's return value); what cannot be, left out. */
function jsonSafe(value: unknown): unknown {
  if (value === undefined) return undefined;
  try {
    return JSON.parse(JSON.stringify(value)) as unknown;
  } catch {
    return undefined;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
