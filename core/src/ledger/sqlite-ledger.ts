/**
 * The embedded ledger: one SQLite file under `stateDir` (better-sqlite3, WAL), written by the running
 * service and read (and asked to act) by the CLI and the console at the same time. Writes are small
 * prepared statements, committed together once per turn of the event loop (one transaction for
 * every write of the concurrent events and deliveries instead of one each), and before the ingest
 * answer: the runtime flushes an event's writes before it answers.
 * Payloads are kept only while a delivery is open or dead; a third-party plugin might put a
 * credential in one, so the file is readable by its owner only.
 */
import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Database as SqliteDatabase, Statement } from 'better-sqlite3';
import { BbrError, reasonOf } from '../diagnostics/errors.js';
import type { Logger } from '../diagnostics/logger.js';
import type { DeliveryOutcome, HookOutcome } from '../dispatch/outcomes.js';
import type { EventName } from '../events/events.js';
import { defined } from '../lang/defined.js';
import {
  OPEN_STATES,
  type AttemptRecord,
  type DeliveryDetail,
  type DeliveryFilter,
  type DeliveryRecord,
  type DeliveryState,
  type EventDetail,
  type EventFilter,
  type EventRecord,
  type EventSummary,
  type FailedAttemptRecord,
  type Ledger,
  type LedgerRequest,
  type NewDelivery,
  type RetentionSettings,
  type RetryAnswer,
  type ReporterTally,
  type StoredDelivery,
} from './ledger.js';
import { BackgroundCheckpoint } from './background-checkpoint.js';
import { LEDGER_SCHEMA, LEDGER_SCHEMA_VERSION } from './sqlite-schema.js';

export const LEDGER_FILE = 'ledger.sqlite';
/**
 * How much of a queued request is kept to show (console, `deliveries show`). The excerpt is stored only
 * when masking changed it; otherwise it is read from the payload, and copied from it when the payload is
 * dropped, so a delivery's bytes are not written twice.
 */
const REQUEST_EXCERPT_CHARS = 4000;

/** Writes committed together at most: a bigger batch buys little and holds its payloads in memory. */
const MAX_BATCH = 1000;

export const DEFAULT_RETENTION: Readonly<RetentionSettings> = Object.freeze({
  maxAgeMs: 14 * 24 * 3600_000,
  maxDeliveries: 100_000,
});

export interface SqliteLedgerOptions {
  logger: Logger;
  /** Masks known secrets in what is kept to show (request excerpts). */
  mask?: (text: string) => string;
  retention?: Partial<RetentionSettings>;
  /** Open without creating the file or the schema (the CLI reading a service's ledger). */
  mustExist?: boolean;
}

interface DeliveryRow {
  id: string;
  event_id: string | null;
  reporter: string;
  target: string;
  state: DeliveryState;
  supersede: number;
  attempts: number;
  last_error: string | null;
  last_response: string | null;
  next_try_at: number | null;
  created_at: number;
  updated_at: number;
  settled_at: number | null;
}

/** A delivery's row number and attempts so far, as an update counting an attempt returns them. */
interface Counted {
  seq: number;
  attempts: number;
}

interface PendingWrite {
  what: string;
  run: () => void;
  /** More than one: run in a savepoint, so a failure undoes the whole write. */
  statements: number;
}

interface EventInsert {
  id: string;
  kind: EventName;
  builder: string | null;
  build: number | null;
  received_at: number;
  body: string;
  outcomes: string | null;
}

interface EventRow {
  id: string;
  kind: EventName;
  builder: string | null;
  build: number | null;
  received_at: number;
  outcomes: string | null;
}

const DELIVERY_COLUMNS =
  'id, event_id, reporter, target, state, supersede, attempts, last_error, last_response, next_try_at, created_at, updated_at, settled_at';

export class SqliteLedger implements Ledger {
  readonly file: string;
  private readonly db: SqliteDatabase;
  private readonly retention: RetentionSettings;
  private readonly statements: ReturnType<typeof prepare>;
  /** Writes waiting for the next commit (see `flush`). */
  private writes: PendingWrite[] = [];
  /** Event rows not committed yet: their outcomes are written with them rather than by a second update. */
  private readonly pendingEvents = new Map<string, EventInsert>();
  private commitSoon: NodeJS.Immediate | undefined;
  /** Callers of `committed()` waiting for the next commit. */
  private waiting: Array<{ resolve: () => void; reject: (error: unknown) => void }> = [];
  private readonly commit: (writes: PendingWrite[]) => void;
  private checkpoint: BackgroundCheckpoint | undefined;
  private readonly checkpointsInBackground: boolean;

  constructor(
    stateDir: string,
    private readonly options: SqliteLedgerOptions,
  ) {
    this.file = join(stateDir, LEDGER_FILE);
    this.retention = { ...DEFAULT_RETENTION, ...options.retention };
    try {
      if (!options.mustExist) mkdirSync(stateDir, { recursive: true, mode: 0o700 });
      this.db = new Database(this.file, { fileMustExist: options.mustExist === true });
      if (!options.mustExist) chmodSync(this.file, 0o600);
      this.db.pragma('journal_mode = WAL');
      // WAL with NORMAL: a crash of the process loses nothing committed; only a power cut may lose the last writes.
      this.db.pragma('synchronous = NORMAL');
      // The CLI and the service write the same file: wait for the other's write instead of failing.
      this.db.pragma('busy_timeout = 5000');
      migrate(this.db);
      // The service's ledger checkpoints on a worker thread, started by the first commit (not at start-up:
      // booting a thread costs ~170 ms of CPU); the CLI's keeps SQLite's own checkpoints.
      this.checkpointsInBackground = !options.mustExist;
      if (this.checkpointsInBackground) this.db.pragma('wal_autocheckpoint = 0');
    } catch (error) {
      throw new BbrError(
        'BBR_STATE_DIR',
        options.mustExist
          ? `no delivery ledger at ${this.file} (has a service run with this config's stateDir?): ${reasonOf(error)}`
          : `the state folder cannot hold the delivery ledger (${this.file}): ${reasonOf(error)}`,
        { cause: error },
      );
    }
    this.statements = prepare(this.db);
    // A write that fails (logged) leaves the others of its commit: SQLite undoes a failed statement alone,
    // and a write of several statements runs in its own savepoint.
    const savepoint = this.db.transaction((run: () => void) => run());
    this.commit = this.db.transaction((writes: PendingWrite[]) => {
      for (const write of writes) {
        try {
          if (write.statements > 1) savepoint(write.run);
          else write.run();
        } catch (error) {
          this.options.logger.error({ err: reasonOf(error) }, `could not record ${write.what} in the delivery ledger`);
        }
      }
    });
  }

  /** Commits every write made so far. Reads do it first; the runtime does it before it answers an event. */
  flush(): void {
    if (this.commitSoon) clearImmediate(this.commitSoon);
    this.commitSoon = undefined;
    const waiting = this.waiting;
    this.waiting = [];
    try {
      if (this.writes.length && this.db.open) {
        const writes = this.writes;
        this.writes = [];
        this.pendingEvents.clear();
        this.commit(writes);
        if (this.checkpointsInBackground)
          this.checkpoint ??= new BackgroundCheckpoint(
            this.file,
            this.options.logger,
            () => this.finishCheckpoint(),
            () => this.db.pragma('wal_autocheckpoint = 1000'),
          );
      }
    } catch (error) {
      for (const waiter of waiting) waiter.reject(error);
      throw error;
    }
    for (const waiter of waiting) waiter.resolve();
  }

  /** Copies the log's last frames on the writer's connection, so the next commit starts the log afresh. */
  private finishCheckpoint(): void {
    try {
      this.flush();
      if (this.db.open) this.db.pragma('wal_checkpoint(PASSIVE)');
    } catch (error) {
      this.options.logger.warn({ err: reasonOf(error) }, 'the delivery ledger could not finish a checkpoint');
    }
  }

  committed(): Promise<void> {
    if (!this.writes.length) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  /**
   * Queues a write of `statements` statements for the next commit, at the latest once the event loop turns,
   * or at once when MAX_BATCH writes wait (a loop that never yields, e.g. a replay, must not pile them up).
   */
  private write(what: string, run: () => void, statements = 1): void {
    this.writes.push({ what, run, statements });
    if (this.writes.length >= MAX_BATCH) this.commitLogged();
    else this.commitSoon ??= setImmediate(() => this.commitLogged());
  }

  private commitLogged(): void {
    try {
      this.flush();
    } catch (error) {
      this.options.logger.error({ err: reasonOf(error) }, 'the delivery ledger could not commit its writes');
    }
  }

  recordEvent(event: EventRecord): void {
    const row: EventInsert = {
      id: event.id,
      kind: event.kind,
      builder: event.builder ?? null,
      build: event.build ?? null,
      received_at: event.receivedAt,
      body: JSON.stringify(event.body),
      outcomes: null,
    };
    this.pendingEvents.set(row.id, row);
    this.write('an event', () => this.statements.insertEvent.run(row));
  }

  recordOutcomes(eventId: string, outcomes: readonly HookOutcome[]): void {
    const text = JSON.stringify(outcomes);
    const pending = this.pendingEvents.get(eventId);
    if (pending) pending.outcomes = text;
    else this.write('outcomes', () => this.statements.setOutcomes.run(text, eventId));
  }

  add(delivery: NewDelivery): boolean {
    let payload: string | null = null;
    let problem: string | undefined;
    try {
      payload = JSON.stringify(delivery.payload) ?? null;
      if (payload === null) problem = 'the payload is not JSON (undefined or a function)';
    } catch (error) {
      problem = `the payload is not JSON: ${reasonOf(error)}`;
    }
    const excerpt = payload?.slice(0, REQUEST_EXCERPT_CHARS);
    const masked = excerpt === undefined ? null : this.mask(excerpt);
    const request = masked === excerpt ? null : masked;
    const row = {
      id: delivery.id,
      event_id: delivery.eventId ?? null,
      reporter: delivery.reporter,
      target: delivery.target,
      supersede: delivery.supersede ? 1 : 0,
      at: delivery.createdAt,
      payload,
      request,
      last_error: problem ?? null,
    };
    this.write('a delivery', () => this.statements.insertDelivery.run(row));
    if (problem)
      this.options.logger.error(
        { reporter: delivery.reporter, target: delivery.target, deliveryId: delivery.id, err: problem },
        'delivery payload not kept in the ledger: it is lost if core stops before it is sent',
      );
    return problem === undefined;
  }

  attemptFailed(deliveryId: string, attempt: FailedAttemptRecord): void {
    const response = attempt.response === undefined ? null : JSON.stringify(attempt.response);
    this.write(
      'a failed attempt',
      () => {
        const row = this.statements.setRetrying.get({
          id: deliveryId,
          state: attempt.retryAt === undefined ? 'queued' : 'retrying',
          error: attempt.reason,
          response,
          next: attempt.retryAt ?? null,
          at: attempt.at,
        }) as Counted | undefined;
        if (row) this.statements.insertAttempt.run(row.seq, row.attempts, attempt.at, 0, attempt.reason, response);
      },
      2,
    );
  }

  settled(outcome: DeliveryOutcome, at: number): void {
    const state = stateOf(outcome);
    if (!state) return;
    // A sent delivery's last attempt is counted here; a failed one's was counted by attemptFailed.
    const sent = outcome.status === 'sent';
    const response = sent && outcome.response !== undefined ? safeJson(outcome.response) : null;
    this.write(
      'an outcome',
      () => {
        const row = this.statements.setSettled.get({
          id: outcome.deliveryId,
          state,
          at,
          error: sent ? null : (outcome.reason ?? null),
          response,
          tried: sent ? 1 : 0,
        }) as Counted | undefined;
        if (row && sent) this.statements.insertAttempt.run(row.seq, row.attempts, at, 1, null, response);
      },
      sent ? 2 : 1,
    );
  }

  payload(deliveryId: string): unknown {
    this.flush();
    const row = this.statements.payload.get(deliveryId) as { payload: string | null } | undefined;
    return row?.payload == null ? undefined : JSON.parse(row.payload);
  }

  unsent(): StoredDelivery[] {
    this.flush();
    return (this.statements.unsent.all() as Array<StoredRow>).map(storedOf);
  }

  stored(deliveryId: string): StoredDelivery | undefined {
    this.flush();
    const row = this.statements.stored.get(deliveryId) as StoredRow | undefined;
    return row ? storedOf(row) : undefined;
  }

  takeRequests(): LedgerRequest[] {
    this.flush();
    return this.db.transaction(() => {
      const rows = this.statements.requests.all() as Array<{
        id: number;
        kind: string;
        delivery_id: string | null;
        event_id: string | null;
        reporter: string | null;
        created_at: number;
      }>;
      if (rows.length) this.statements.deleteRequests.run(rows[rows.length - 1].id);
      return rows.flatMap((r): LedgerRequest[] => {
        if (r.kind === 'retry' && r.delivery_id)
          return [{ kind: 'retry', deliveryId: r.delivery_id, at: r.created_at }];
        if (r.kind === 'redeliver' && r.event_id)
          return [
            {
              kind: 'redeliver',
              eventId: r.event_id,
              at: r.created_at,
              ...defined({ reporter: r.reporter ?? undefined }),
            },
          ];
        return [];
      });
    })();
  }

  prune(now = Date.now()): { deliveries: number; events: number } {
    this.flush();
    const cutoff = now - this.retention.maxAgeMs;
    return this.db.transaction(() => {
      let deliveries = this.statements.pruneOld.run(cutoff).changes;
      deliveries += this.statements.pruneOverCount.run(this.retention.maxDeliveries).changes;
      this.statements.pruneAttempts.run();
      const events = this.statements.pruneEvents.run(cutoff).changes;
      return { deliveries, events };
    })();
  }

  deliveries(filter: DeliveryFilter = {}): DeliveryRecord[] {
    this.flush();
    const where: string[] = [];
    const params: Record<string, unknown> = { limit: filter.limit ?? 100 };
    if (filter.state !== undefined) {
      const states = typeof filter.state === 'string' ? [filter.state] : [...filter.state];
      where.push(`state IN (${states.map((_, i) => `@s${i}`).join(', ')})`);
      states.forEach((s, i) => (params[`s${i}`] = s));
    }
    if (filter.reporter !== undefined) {
      where.push('reporter = @reporter');
      params.reporter = filter.reporter;
    }
    if (filter.eventId !== undefined) {
      where.push('event_id = @eventId');
      params.eventId = filter.eventId;
    }
    if (filter.since !== undefined) {
      where.push('updated_at >= @since');
      params.since = filter.since;
    }
    const sql = `SELECT ${DELIVERY_COLUMNS} FROM deliveries ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT @limit`;
    return (this.db.prepare(sql).all(params) as DeliveryRow[]).map(recordOf);
  }

  delivery(id: string): DeliveryDetail | undefined {
    this.flush();
    const row = this.statements.delivery.get(id) as (DeliveryRow & { seq: number; request: string | null }) | undefined;
    if (!row) return undefined;
    const attempts = this.statements.attempts.all(row.seq) as Array<{
      attempt: number;
      at: number;
      ok: number;
      error: string | null;
      response: string | null;
    }>;
    return {
      ...recordOf(row),
      ...defined({ request: row.request ?? undefined }),
      attemptList: attempts.map((a): AttemptRecord => ({
        attempt: a.attempt,
        at: a.at,
        ok: a.ok === 1,
        ...defined({ error: a.error ?? undefined, response: parsed(a.response) }),
      })),
    };
  }

  events(filter: EventFilter = {}): EventSummary[] {
    this.flush();
    const rows = this.statements.events.all({ since: filter.since ?? 0, limit: filter.limit ?? 50 }) as EventRow[];
    return rows.map((row) => this.summaryOf(row));
  }

  event(id: string): EventDetail | undefined {
    this.flush();
    const row = this.statements.event.get(id) as (EventRow & { body: string }) | undefined;
    if (!row) return undefined;
    return {
      ...this.summaryOf(row),
      body: JSON.parse(row.body),
      deliveryList: (this.statements.eventDeliveries.all(id) as DeliveryRow[]).map(recordOf),
    };
  }

  tally(): ReporterTally {
    this.flush();
    const tally: ReporterTally = {};
    for (const row of this.statements.tally.all() as Array<{ reporter: string; state: DeliveryState; n: number }>)
      (tally[row.reporter] ??= {})[row.state] = row.n;
    return tally;
  }

  deadLetters(): Record<string, number> {
    this.flush();
    const rows = this.statements.deadLetters.all() as Array<{ reporter: string; n: number }>;
    return Object.fromEntries(rows.map((r) => [r.reporter, r.n]));
  }

  requestRetry(ids: readonly string[]): RetryAnswer[] {
    this.flush();
    return this.db.transaction(() =>
      ids.map((id): RetryAnswer => {
        const row = this.statements.stateOf.get(id) as { state: DeliveryState; payload: number } | undefined;
        if (!row) return { id, refused: 'no such delivery' };
        if (row.state === 'sent' || row.state === 'superseded')
          return {
            id,
            refused: `it is ${row.state}; to send its event again, use "bbreporters events redeliver EVENT --reporter R"`,
          };
        if (!row.payload) return { id, refused: 'its payload was never kept (not JSON), so it cannot be sent again' };
        this.statements.requeue.run(Date.now(), id);
        this.statements.insertRequest.run('retry', id, null, null, Date.now());
        return { id };
      }),
    )();
  }

  requestRedelivery(eventId: string, reporter?: string): void {
    this.statements.insertRequest.run('redeliver', null, eventId, reporter ?? null, Date.now());
  }

  close(): void {
    this.flush();
    this.checkpoint?.stop();
    if (this.db.open) this.db.close();
  }

  private summaryOf(row: EventRow): EventSummary {
    const deliveries: EventSummary['deliveries'] = {};
    for (const d of this.statements.eventStates.all(row.id) as Array<{ state: DeliveryState; n: number }>)
      deliveries[d.state] = d.n;
    return {
      id: row.id,
      kind: row.kind,
      receivedAt: row.received_at,
      deliveries,
      ...defined({
        builder: row.builder ?? undefined,
        build: row.build ?? undefined,
        outcomes: parsed(row.outcomes) as HookOutcome[] | undefined,
      }),
    };
  }

  private mask(text: string): string {
    return this.options.mask ? this.options.mask(text) : text;
  }
}

type StoredRow = Pick<DeliveryRow, 'id' | 'reporter' | 'target' | 'supersede' | 'event_id'> & { payload: string };

function storedOf(row: StoredRow): StoredDelivery {
  return {
    id: row.id,
    reporter: row.reporter,
    target: row.target,
    payload: JSON.parse(row.payload),
    supersede: row.supersede === 1,
    ...defined({ eventId: row.event_id ?? undefined }),
  };
}

function recordOf(row: DeliveryRow): DeliveryRecord {
  return {
    id: row.id,
    reporter: row.reporter,
    target: row.target,
    state: row.state,
    supersede: row.supersede === 1,
    attempts: row.attempts,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    ...defined({
      eventId: row.event_id ?? undefined,
      lastError: row.last_error ?? undefined,
      lastResponse: parsed(row.last_response),
      nextTryAt: row.next_try_at ?? undefined,
      settledAt: row.settled_at ?? undefined,
    }),
  };
}

/** The ledger state an outcome leaves its delivery in; undefined for a dry run's. */
function stateOf(outcome: DeliveryOutcome): DeliveryState | undefined {
  switch (outcome.status) {
    case 'sent':
      return 'sent';
    case 'superseded':
      return 'superseded';
    case 'deferred':
      return 'deferred';
    case 'failed':
      return 'dead';
    case 'previewed':
      return undefined;
  }
}

function parsed(text: string | null): unknown {
  return text == null ? undefined : JSON.parse(text);
}

/** A plugin's `send` may return anything: what is not JSON is kept as its description. */
function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? JSON.stringify(String(value));
  } catch {
    return JSON.stringify(String(value));
  }
}

function migrate(db: SqliteDatabase): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > LEDGER_SCHEMA_VERSION)
    throw new Error(
      `the ledger was written by a newer bbreporters (schema ${version}, this one knows ${LEDGER_SCHEMA_VERSION})`,
    );
  if (version === LEDGER_SCHEMA_VERSION) return;
  db.transaction(() => {
    db.exec(LEDGER_SCHEMA);
    db.pragma(`user_version = ${LEDGER_SCHEMA_VERSION}`);
  })();
}

function prepare(db: SqliteDatabase) {
  const open = OPEN_STATES.map((s) => `'${s}'`).join(', ');
  // The request to show: the masked excerpt when masking changed it, else the payload's start.
  const REQUEST = `COALESCE(request, substr(payload, 1, ${REQUEST_EXCERPT_CHARS}))`;
  const s = (sql: string): Statement => db.prepare(sql);
  return {
    insertEvent: s(
      `INSERT INTO events (id, kind, builder, build, received_at, body, outcomes)
       VALUES (@id, @kind, @builder, @build, @received_at, @body, @outcomes)
       ON CONFLICT (id) DO UPDATE SET outcomes = COALESCE(excluded.outcomes, outcomes)`,
    ),
    setOutcomes: s('UPDATE events SET outcomes = ? WHERE id = ?'),
    insertDelivery: s(
      `INSERT INTO deliveries (id, event_id, reporter, target, state, supersede, attempts, last_error, created_at, updated_at, payload, request)
       VALUES (@id, @event_id, @reporter, @target, 'queued', @supersede, 0, @last_error, @at, @at, @payload, @request)
       ON CONFLICT (id) DO UPDATE SET state = 'queued', updated_at = @at`,
    ),
    insertAttempt: s(
      'INSERT OR REPLACE INTO attempts (delivery_seq, attempt, at, ok, error, response) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    setRetrying: s(
      `UPDATE deliveries SET attempts = attempts + 1, state = @state, last_error = @error, last_response = @response,
         next_try_at = @next, updated_at = @at
       WHERE id = @id RETURNING seq, attempts`,
    ),
    // Sent and superseded deliveries drop their payload; dead and deferred ones keep it to be sent again.
    setSettled: s(
      `UPDATE deliveries SET attempts = attempts + @tried, state = @state, updated_at = @at, next_try_at = NULL,
         settled_at = CASE WHEN @state = 'deferred' THEN NULL ELSE @at END,
         last_error = CASE WHEN @state = 'sent' THEN NULL ELSE COALESCE(@error, last_error) END,
         last_response = COALESCE(@response, last_response),
         request = CASE WHEN @state IN ('sent', 'superseded') THEN ${REQUEST} ELSE request END,
         payload = CASE WHEN @state IN ('sent', 'superseded') THEN NULL ELSE payload END
       WHERE id = @id RETURNING seq, attempts`,
    ),
    payload: s('SELECT payload FROM deliveries WHERE id = ?'),
    unsent: s(
      `SELECT id, reporter, target, supersede, event_id, payload FROM deliveries WHERE state IN (${open}) AND payload IS NOT NULL ORDER BY seq`,
    ),
    stored: s(
      `SELECT id, reporter, target, supersede, event_id, payload FROM deliveries WHERE id = ? AND state IN (${open}, 'dead') AND payload IS NOT NULL`,
    ),
    requests: s('SELECT id, kind, delivery_id, event_id, reporter, created_at FROM requests ORDER BY id'),
    deleteRequests: s('DELETE FROM requests WHERE id <= ?'),
    insertRequest: s('INSERT INTO requests (kind, delivery_id, event_id, reporter, created_at) VALUES (?, ?, ?, ?, ?)'),
    stateOf: s('SELECT state, payload IS NOT NULL AS payload FROM deliveries WHERE id = ?'),
    requeue: s(
      "UPDATE deliveries SET state = 'queued', settled_at = NULL, next_try_at = NULL, updated_at = ? WHERE id = ?",
    ),
    pruneOld: s(`DELETE FROM deliveries WHERE state NOT IN (${open}) AND settled_at < ?`),
    // Dead letters are not counted: they leave only by age, or once retried and sent.
    pruneOverCount: s(
      `DELETE FROM deliveries WHERE seq IN (
         SELECT seq FROM deliveries WHERE state IN ('sent', 'superseded') ORDER BY seq DESC LIMIT -1 OFFSET ?)`,
    ),
    pruneAttempts: s('DELETE FROM attempts WHERE delivery_seq NOT IN (SELECT seq FROM deliveries)'),
    pruneEvents: s(
      'DELETE FROM events WHERE received_at < ? AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = events.id)',
    ),
    delivery: s(`SELECT seq, ${REQUEST} AS request, ${DELIVERY_COLUMNS} FROM deliveries WHERE id = ?`),
    attempts: s('SELECT attempt, at, ok, error, response FROM attempts WHERE delivery_seq = ? ORDER BY attempt'),
    events: s(
      'SELECT id, kind, builder, build, received_at, outcomes FROM events WHERE received_at >= @since ORDER BY received_at DESC, rowid DESC LIMIT @limit',
    ),
    event: s('SELECT id, kind, builder, build, received_at, outcomes, body FROM events WHERE id = ?'),
    eventDeliveries: s(`SELECT ${DELIVERY_COLUMNS} FROM deliveries WHERE event_id = ? ORDER BY seq`),
    eventStates: s('SELECT state, count(*) AS n FROM deliveries WHERE event_id = ? GROUP BY state'),
    tally: s('SELECT reporter, state, count(*) AS n FROM deliveries GROUP BY reporter, state ORDER BY reporter'),
    // Answered from the (state, reporter) index: cheap enough for every scrape.
    deadLetters: s("SELECT reporter, count(*) AS n FROM deliveries WHERE state = 'dead' GROUP BY reporter"),
  };
}
