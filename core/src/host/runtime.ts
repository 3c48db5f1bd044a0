/**
 * A running set of reporters: imports the prepared plugins, calls their `setup`, checks the
 * handlers against the manifests, and wires the dispatcher and the delivery queue together.
 */
import { resolve } from 'node:path';
import type { DestinationStream } from 'pino';
import { DEFAULT_DELIVERY_SETTINGS, DeliveryQueue } from '../deliveries/queue.js';
import type { Deliveries } from '../deliveries/deliveries.js';
import type { Cluster } from '../cluster/cluster.js';
import { EventClaims } from '../cluster/event-claims.js';
import { RedisDeliveryQueue } from '../cluster/redis-queue.js';
import { within } from '../lang/within.js';
import { importJournals } from '../ledger/journal-import.js';
import { eventRecordOf } from '../ledger/event-record.js';
import type { Ledger, RetentionSettings } from '../ledger/ledger.js';
import { SqliteLedger } from '../ledger/sqlite-ledger.js';
import { Dispatcher, type ActiveReporter } from '../dispatch/dispatcher.js';
import { trackAttempts, type TrackedSender } from '../deliveries/tracked-sender.js';
import { planReload, type ReloadPlan, type ReporterEntry } from './reload.js';
import { retire } from './retire.js';
import type { WebhookRoutes } from '../sources/webhooks.js';
import type { DispatchInterceptor, Hooks } from '../dispatch/hooks.js';
import { OutcomeCounter, outcomeInterceptor, outcomeTracer, type HookCounts } from '../dispatch/interceptors.js';
import { checkHandlers } from '../loader/handler-keys.js';
import { defined } from '../lang/defined.js';
import {
  DEFAULT_DRAIN_MS,
  DEFAULT_HANDLER_TIMEOUT_MS,
  DEFAULT_SETUP_TIMEOUT_MS,
  DEFAULT_TITLE,
  resolveStateDir,
} from './defaults.js';
import { needsOf, type Enricher, type Need } from '../enrichment/enricher.js';
import { unmetNeeds } from '../enrichment/unmet-needs.js';
import { normaliseEvent } from '../events/envelope.js';
import { BbrError, reasonOf } from '../diagnostics/errors.js';
import { eventNames, type BbEvent, type EventName } from '../events/events.js';
import { createReporterFilter } from '../filters/reporter-filter.js';
import { createFormatterFactory } from '../formatter/factory.js';
import { BuildHistory } from '../history/build-history.js';
import { handlerScope, noteDelivery, noteSkip } from '../dispatch/isolation.js';
import { importPlugin } from '../loader/entry.js';
import { prepareReporters, type PreparedReporter, type ReporterSpec } from '../loader/prepare.js';
import { createHttpClient } from '../http/client.js';
import { httpRequestProblems, type HttpRequest } from '../http/request.js';
import { httpSender, pluginSender } from '../deliveries/http-sender.js';
import { resolveTls } from '../http/tls.js';
import { NodeFetchTransport, type Transport } from '../http/transport.js';
import { createLogger, type Logger } from '../diagnostics/logger.js';
import { maskSecrets } from '../diagnostics/mask.js';
import type { MasterControl } from '../buildbot-api/master-control.js';
import type { DeliveryOutcome, DispatchResult, HookOutcome } from '../dispatch/outcomes.js';
import type {
  ExclusiveWork,
  PluginContext,
  PluginDefinition,
  QueuedDelivery,
  ReporterHandlers,
  RuntimeConfig,
} from '../plugin-api.js';

export interface RuntimeOptions {
  /** The reporters to set up: config entries, prepared here… */
  reporters?: readonly ReporterSpec[];
  /** …or the reporters a config check already prepared (`LoadedConfig.prepared`): not prepared again. */
  prepared?: readonly PreparedReporter[];
  /** Folder plugin names and relative paths resolve from (the config file's folder). */
  configDir: string;
  title?: string;
  titleURL?: string;
  buildbotURL?: string;
  stateDir?: string;
  handlerTimeout?: number;
  /** Milliseconds each reporter's setup() may take (default DEFAULT_SETUP_TIMEOUT_MS). */
  setupTimeout?: number;
  logLevel?: string;
  logDestination?: DestinationStream;
  /** The host's logger, when it has one already: it must mask `secrets` (pass that same Set). */
  logger?: Logger;
  master?: MasterControl;
  /** Fills what the reporters' manifests `need` before dispatch (a buildbot source's `enricher`, or createEnricher). */
  enricher?: Enricher;
  /** Secrets known before the reporters (source tokens) to mask in logs too; a Set is used as is, and the reporters' secrets are added to it. */
  secrets?: Iterable<string>;
  /** Watch every dispatch (tapable interceptors, added to each hook after the reporters are tapped). */
  interceptors?: readonly DispatchInterceptor[];
  /** Sends nothing: every delivery settles as 'previewed' (see onDelivery for target and payload). */
  dryRun?: boolean;
  /** How long the ledger keeps settled deliveries and events (config `retention`). */
  retention?: Partial<RetentionSettings>;
  /** Several instances on one Redis (config `queue: {type: redis}`): deliveries are BullMQ jobs, event ids are claimed cluster-wide. */
  cluster?: Cluster;
  /** Reporters' web-hooks on the http source's server (the service's); absent: reporters get none. */
  webhooks?: WebhookRoutes;
}

/** How long intake waits for Redis to answer (a claim: beyond waiting for another instance's dispatch) before dispatching anyway. */
const CLAIM_WAIT_MS = 5000;
/** How often the running service looks for retries and redeliveries the CLI or the console asked for. */
const REQUEST_POLL_MS = 500;
/** How often the ledger lets go of what retention no longer keeps. */
const PRUNE_EVERY_MS = 3600_000;

export class Runtime {
  private closed = false;
  /** What the loaded reporters' manifests `need` filled in, and who fills it. */
  private enrichment?: { enricher: Enricher; needs: ReadonlyMap<EventName, ReadonlySet<Need>> };
  /**
   * Without an enricher: each reporter's needs, to warn once per reporter when events lack what
   * only the master can give (see unmetNeeds).
   */
  private unenriched?: {
    reporters: ReadonlyArray<{ name: string; hooks: readonly EventName[]; needs: ReadonlySet<Need> }>;
    warned: Set<string>;
  };
  /** Recent builds under stateDir: fills a missing prev_build, answers MasterControl's read-only part. */
  private history!: BuildHistory;
  /** When each event being dispatched was received, by id: its deliveries carry it (delivery latency). */
  private received!: Map<string, number>;
  /** Every event and delivery (absent in a dry run); the CLI and the console read the same file. */
  ledger?: Ledger;
  private timers: NodeJS.Timeout[] = [];
  /** What a reload needs: how reporters are set up, each one's config entry and sender, the dispatcher's interceptors. */
  private setupEnv!: SetupEnv;
  private prepared!: readonly PreparedReporter[];
  private senders!: Map<string, TrackedSender>;
  private interceptors!: readonly DispatchInterceptor[];
  /** Event ids claimed across instances (the Redis mode). */
  private claims?: EventClaims;
  private cluster?: Cluster;
  /** Each exclusive reporter's lease (the Redis mode) or its work's stop (alone). */
  private readonly exclusives = new Map<string, { stop(): Promise<void> }>();
  /** Instances a reload replaced or removed, until they are closed (./retire.ts). */
  private readonly retiring = new Set<Promise<void>>();

  private constructor(
    private readonly shutdown: AbortController,
    readonly logger: Logger,
    readonly secrets: Set<string>,
    private active: readonly ActiveReporter[],
    readonly deliveries: Deliveries,
    private dispatcher: Dispatcher,
    readonly config: RuntimeConfig,
    private readonly transport: Transport,
    private readonly outcomeCounter: OutcomeCounter,
  ) {}

  /** The running reporters, in config order. */
  get reporters(): readonly ActiveReporter[] {
    return this.active;
  }

  /**
   * The frozen hook catalogue, for interceptors (`runtime.hooks.buildFinished.intercept({...})`).
   * A reload builds a new one with `RuntimeOptions.interceptors`: add a lasting interceptor there.
   */
  get hooks(): Hooks {
    return this.dispatcher.hooks;
  }

  /** Handler outcomes per reporter and status since start. */
  hookCounts(): HookCounts {
    return this.outcomeCounter.counts();
  }

  static async start(options: RuntimeOptions): Promise<Runtime> {
    const secrets = options.secrets instanceof Set ? options.secrets : new Set<string>(options.secrets ?? []);
    const logger =
      options.logger ??
      createLogger({
        secrets,
        ...defined({ level: options.logLevel, destination: options.logDestination }),
      });
    const configDir = resolve(options.configDir);
    const config: RuntimeConfig = {
      title: options.title ?? DEFAULT_TITLE,
      ...(options.titleURL ? { titleURL: options.titleURL } : {}),
      ...(options.buildbotURL ? { buildbotURL: options.buildbotURL } : {}),
      stateDir: resolveStateDir(configDir, options.stateDir),
      configDir,
      dryRun: options.dryRun === true,
    };
    const prepared = options.prepared ?? prepareReporters(options.reporters ?? [], configDir);
    for (const r of prepared) for (const s of r.secrets) secrets.add(s);
    const history = await BuildHistory.open(config.stateDir, { logger, persist: !options.dryRun });
    const master = options.master ?? history.masterControl();

    // A preview neither keeps nor replays deliveries; a run keeps every one in the ledger under stateDir.
    const ledger = options.dryRun ? undefined : openLedger(config.stateDir, logger, secrets, options.retention);
    // A preview never touches the shared queue: it sends nothing.
    const cluster = options.dryRun ? undefined : options.cluster;
    const deliveries: Deliveries = cluster
      ? new RedisDeliveryQueue(cluster, { logger, secrets, ...defined({ ledger }) })
      : new DeliveryQueue({
          logger,
          secrets,
          ...(options.dryRun ? { dryRun: true } : {}),
          ...defined({ ledger }),
        });
    // Read before any reporter can deliver, queued again once every reporter is registered.
    const unsent = ledger?.unsent() ?? [];
    const transport = new NodeFetchTransport();
    const received = new Map<string, number>();
    const setupEnv: SetupEnv = { logger, deliveries, config, options, transport, secrets, master, received };
    const active: ActiveReporter[] = [];
    const senders = new Map<string, TrackedSender>();
    const exclusive = new Map<string, ExclusiveWork>();
    for (const r of prepared) {
      const set = await setupReporter(r, await importPlugin(r.plugin, r.manifest), setupEnv);
      deliveries.register(r.name, set.sender, r.spec.delivery, Boolean(set.exclusive));
      active.push(set.reporter);
      senders.set(r.name, set.sender);
      if (set.exclusive) exclusive.set(r.name, set.exclusive);
    }
    const shutdown = new AbortController();
    const outcomeCounter = new OutcomeCounter();
    // Core's own watchers, as one interceptor: outcome counts, and a debug line per outcome when debug is on.
    const watchers = [outcomeCounter.record, ...(isDebugEnabled(logger) ? [outcomeTracer(logger)] : [])];
    const interceptors = [outcomeInterceptor('core', watchers, logger), ...(options.interceptors ?? [])];
    const dispatcher = new Dispatcher(active, { logger, shutdown: shutdown.signal, interceptors });
    logger.info({ reporters: active.map((r) => r.name) }, 'reporters ready');
    deliveries.restore(unsent);
    const runtime = new Runtime(
      shutdown,
      logger,
      secrets,
      active,
      deliveries,
      dispatcher,
      config,
      transport,
      outcomeCounter,
    );
    runtime.history = history;
    runtime.received = received;
    runtime.setupEnv = setupEnv;
    runtime.prepared = prepared;
    runtime.senders = senders;
    runtime.interceptors = interceptors;
    if (cluster)
      runtime.claims = new EventClaims(
        cluster.redis,
        { claim: (id) => cluster.key('event', id), presencePrefix: cluster.presenceKey('') },
        cluster.settings.instance,
        cluster.settings.dedupeTtlMs,
        // Longer than a dead instance's presence key lives: a copy then takes its claim over.
        cluster.settings.leaseMs + 2000,
      );
    runtime.cluster = cluster;
    for (const [name, work] of exclusive) await runtime.runExclusive(name, work);
    if (ledger) runtime.watchLedger(ledger);
    runtime.planEnrichment();
    return runtime;
  }

  /** What the reporters `need` per event, and who fills it (again after a reload). */
  private planEnrichment(): void {
    const { enricher } = this.setupEnv.options;
    // Per event: only the needs of the reporters that handle it (a buildStarted is not completed for a mail reporter).
    // A reporter's setup() may narrow its manifest's needs to what its options use.
    const needsByReporter = this.active.map((r, i) => ({
      name: r.name,
      hooks: r.hooks,
      needs: r.handlers.needs ?? this.prepared[i].manifest.needs,
    }));
    const needs = new Map(
      eventNames.map((e) => [e, needsOf(needsByReporter.filter((r) => r.hooks.includes(e)))] as const),
    );
    this.enrichment = enricher && [...needs.values()].some((n) => n.size) ? { enricher, needs } : undefined;
    enricher?.plan?.(needs);
    this.unenriched = enricher
      ? undefined
      : {
          reporters: needsByReporter.map((r) => ({ ...r, needs: needsOf([r]) })),
          warned: new Set(this.unenriched?.warned),
        };
  }

  /**
   * Runs a reloaded config's reporters (what changes: ./reload.ts). Every new or changed reporter
   * is set up before anything switches: when one fails, those already set up are closed, the error
   * is thrown and the running reporters go on untouched. Events being dispatched finish on the
   * reporters they started with; the replaced and removed instances are closed once nothing of
   * them runs (./retire.ts).
   */
  async reload(
    prepared: readonly PreparedReporter[],
    /** The reloaded config's, defaults filled in: a setting the file no longer has is back to its default. */
    settings: Required<Pick<RuntimeOptions, 'handlerTimeout' | 'setupTimeout'>>,
  ): Promise<ReloadPlan> {
    if (this.closed) throw new Error('the reporters are closed');
    const env: SetupEnv = { ...this.setupEnv, options: { ...this.setupEnv.options, ...settings } };
    const entry = (p: PreparedReporter): ReporterEntry => ({
      prepared: p,
      timeoutMs: p.spec.handlerTimeout ?? env.options.handlerTimeout ?? DEFAULT_HANDLER_TIMEOUT_MS,
    });
    const plan = planReload(
      this.prepared.map((p, i) => ({ prepared: p, timeoutMs: this.active[i].timeoutMs })),
      prepared.map(entry),
    );
    for (const r of prepared) for (const s of r.secrets) this.secrets.add(s);
    const fresh = new Map<string, Awaited<ReturnType<typeof setupReporter>>>();
    try {
      for (const r of prepared.filter((p) => !plan.unchanged.includes(p.name)))
        fresh.set(r.name, await setupReporter(r, await importPlugin(r.plugin, r.manifest), env));
      // A stop that began during the setups wins: the reporters it closes are the ones that ran.
      if (this.closed) throw new Error('the service stopped during the reload');
    } catch (error) {
      await closeReporters(
        [...fresh.values()].map((f) => f.reporter),
        this.logger,
      );
      throw error;
    }
    // The switch, in one synchronous step: each event sees either the old reporters or the new ones.
    const previous = { dispatcher: this.dispatcher, active: new Map(this.active.map((r) => [r.name, r])) };
    const oldSenders = new Map(this.senders);
    for (const r of prepared) {
      const set = fresh.get(r.name);
      if (!set) continue;
      this.deliveries.register(r.name, set.sender, r.spec.delivery, Boolean(set.exclusive));
      this.senders.set(r.name, set.sender);
    }
    for (const name of plan.removed) {
      this.senders.delete(name);
      // A removed reporter's web-hook stops answering (a changed one's setup already replaced it).
      env.options.webhooks?.remove(name);
    }
    this.active = prepared.map((r) => fresh.get(r.name)?.reporter ?? previous.active.get(r.name)!);
    this.prepared = prepared;
    this.dispatcher = new Dispatcher(this.active, {
      logger: this.logger,
      shutdown: this.shutdown.signal,
      interceptors: this.interceptors,
      previous: previous.dispatcher,
    });
    this.planEnrichment();
    // What the ledger kept for a reporter that was not configured (a start without it) is its again.
    if (this.ledger && plan.added.length) {
      const unsent = this.ledger.unsent().filter((d) => plan.added.includes(d.reporter));
      this.deliveries.restore(unsent);
    }
    // The replaced instance's exclusive work stops before the new one's starts: never two connections.
    for (const name of [...plan.changed, ...plan.removed]) await this.stopExclusive(name);
    for (const [name, set] of fresh) if (set.exclusive) await this.runExclusive(name, set.exclusive);
    const why = (name: string) => (plan.removed.includes(name) ? 'removed' : 'changed');
    for (const name of [...plan.changed, ...plan.removed]) {
      const retiring = retire(
        {
          reporter: previous.active.get(name)!,
          sender: oldSenders.get(name)!,
          why: why(name),
          dispatcher: previous.dispatcher,
        },
        {
          deliveries: this.deliveries,
          logger: this.logger,
          isConfigured: (n) => this.active.some((r) => r.name === n),
        },
      );
      this.retiring.add(retiring);
      void retiring.finally(() => this.retiring.delete(retiring));
    }
    return plan;
  }

  /** Validates `input` (an envelope or an HttpStatusPush body) and dispatches it. Throws BBR_EVENT_INVALID for bad input. */
  async emit(input: unknown): Promise<DispatchResult> {
    if (this.closed) throw new Error('the reporters are closed');
    const receivedAt = Date.now();
    const normalised = normaliseEvent(input);
    const elsewhere = await this.claimedElsewhere(normalised);
    if (elsewhere) return elsewhere;
    // prev_build from the build history when neither the source nor the enricher gave it.
    const event: BbEvent = this.history.observe(await this.enrich(normalised));
    this.warnUnmetNeeds(event);
    // A duplicate arriving while its first copy is dispatched leaves the first one's time alone.
    const stamped = !this.received.has(event.id);
    if (stamped) this.received.set(event.id, receivedAt);
    this.keep('the event', (ledger) => ledger.recordEvent(eventRecordOf(event, receivedAt)));
    let result: DispatchResult;
    try {
      result = await this.dispatcher.dispatch(event);
    } finally {
      if (stamped) this.received.delete(event.id);
    }
    if (result.duplicate) {
      // The caller learns what became of the first copy.
      const first = this.ledger?.event(event.id)?.outcomes;
      return first ? { ...result, outcomes: first } : result;
    }
    this.keep('the outcomes', (ledger) => ledger.recordOutcomes(event.id, result.outcomes));
    // On disk before the caller hears "accepted": the event, its deliveries and their payloads, in one
    // commit with the other events of this turn of the event loop. An event that made no delivery has
    // nothing to lose: its record goes with that commit without holding the answer.
    try {
      if (result.outcomes.some((o) => o.deliveries?.length)) await this.ledger?.committed();
    } catch (error) {
      this.logger.error({ err: reasonOf(error) }, 'could not record the event in the delivery ledger');
    }
    if (this.claims) await this.shareDispatched(event.id);
    this.logger.info(
      { eventId: event.id, event: event.event, outcomes: result.outcomes.map((o) => `${o.reporter}:${o.status}`) },
      'event dispatched',
    );
    return result;
  }

  /**
   * Dispatches an event the ledger holds again, to one reporter or all: an operator's redelivery
   * (`bbreporters events redeliver`, the console). Resolves with the new outcomes.
   */
  async redeliver(eventId: string, reporter?: string): Promise<HookOutcome[]> {
    const stored = this.ledger?.event(eventId);
    if (!stored) throw new BbrError('BBR_LEDGER_NOT_FOUND', `no event ${eventId} in the ledger`);
    if (reporter !== undefined && !this.reporters.some((r) => r.name === reporter))
      throw new BbrError('BBR_LEDGER_NOT_FOUND', `no reporter "${reporter}" runs in this service`);
    const event = stored.body as BbEvent;
    this.received.set(event.id, Date.now());
    let outcomes: HookOutcome[];
    try {
      outcomes = await this.dispatcher.redeliver(event, reporter === undefined ? undefined : [reporter]);
    } finally {
      this.received.delete(event.id);
    }
    // The redelivered reporters' outcomes replace theirs; the others' stay.
    const merged = [
      ...(stored.outcomes ?? []).filter((o) => !outcomes.some((n) => n.reporter === o.reporter)),
      ...outcomes,
    ];
    this.keep('the outcomes', (ledger) => ledger.recordOutcomes(event.id, merged));
    this.logger.info(
      { eventId, outcomes: outcomes.map((o) => `${o.reporter}:${o.status}`) },
      'event redelivered (asked by an operator)',
    );
    return outcomes;
  }

  /** Picks up what the CLI and the console ask for, and prunes by the retention settings. */
  private watchLedger(ledger: Ledger): void {
    this.ledger = ledger;
    this.keep('retention', (l) => l.prune());
    const poll = setInterval(() => void this.serveRequests(ledger), REQUEST_POLL_MS);
    const prune = setInterval(() => this.keep('retention', (l) => l.prune()), PRUNE_EVERY_MS);
    for (const timer of [poll, prune]) timer.unref();
    this.timers.push(poll, prune);
  }

  private async serveRequests(ledger: Ledger): Promise<void> {
    let requests: ReturnType<Ledger['takeRequests']> = [];
    this.keep('requests', () => (requests = ledger.takeRequests()));
    for (const request of requests) {
      if (request.kind === 'retry') {
        const stored = ledger.stored(request.deliveryId);
        const how = stored ? this.deliveries.retry(stored) : 'gone';
        this.logger.info({ deliveryId: request.deliveryId, how }, 'delivery retry asked by an operator');
        continue;
      }
      try {
        await this.redeliver(request.eventId, request.reporter);
      } catch (error) {
        this.logger.error({ eventId: request.eventId, err: reasonOf(error) }, 'redelivery failed');
      }
    }
  }

  /** Ledger bookkeeping outside the send path: a failure (a full disk) is logged, never thrown at the caller. */
  private keep(what: string, write: (ledger: Ledger) => void): void {
    if (!this.ledger) return;
    try {
      write(this.ledger);
    } catch (error) {
      this.logger.error({ err: reasonOf(error) }, `could not record ${what} in the delivery ledger`);
    }
  }

  /** The event with what the reporters need; when the master cannot be asked, the event as it came (logged). */
  private async enrich(event: BbEvent): Promise<BbEvent> {
    const needs = this.enrichment?.needs.get(event.event);
    if (!this.enrichment || !needs?.size) return event;
    try {
      return await this.enrichment.enricher.enrich(event, needs);
    } catch (error) {
      this.logger.warn(
        { eventId: event.id, err: reasonOf(error) },
        'enrichment failed; dispatching the event as it came',
      );
      return event;
    }
  }

  /** Once per reporter: it needs steps or logs the event lacks, and no enricher can fetch them. */
  private warnUnmetNeeds(event: BbEvent): void {
    if (!this.unenriched) return;
    for (const r of this.unenriched.reporters) {
      if (this.unenriched.warned.has(r.name) || !r.hooks.includes(event.event)) continue;
      const unmet = unmetNeeds(event, r.needs);
      if (!unmet.length) continue;
      this.unenriched.warned.add(r.name);
      this.logger.warn(
        { reporter: r.name, eventId: event.id, unmet },
        `reporter "${r.name}" needs the builds' ${unmet.join(', ')}, which event ${event.id} lacks ` +
          "(Buildbot's HttpStatusPush posts none unless asked to), and nothing is configured to fetch them: " +
          "set buildbotAPI.url (or buildbotURL) to the master's URL so core fetches them over its REST API, " +
          'or use a buildbot source. Its messages go out without them (said once per reporter)',
      );
    }
  }

  /**
   * The Redis mode: claims the event for this instance; a duplicate result when another instance
   * has it. Redis not answering in time does not hold the event up: it is dispatched, and its
   * deliveries' job ids still keep a twin from being queued.
   */
  private async claimedElsewhere(event: BbEvent): Promise<DispatchResult | undefined> {
    if (!this.claims) return undefined;
    try {
      const claim = await within(this.claims.waitMs + CLAIM_WAIT_MS, this.claims.claim(event.id));
      if (claim.first) return undefined;
      this.logger.info(
        { eventId: event.id, event: event.event, holder: claim.holder },
        'duplicate event: another instance has it',
      );
      return { eventId: event.id, event: event.event, duplicate: true, outcomes: [] };
    } catch (error) {
      this.logger.warn(
        { eventId: event.id, err: reasonOf(error) },
        'event not claimed across instances (Redis did not answer): dispatched here',
      );
      return undefined;
    }
  }

  /** The Redis mode: the event's jobs are in Redis (within a bound), and its id is remembered cluster-wide for the dedupe ttl. */
  private async shareDispatched(eventId: string): Promise<void> {
    try {
      await this.deliveries.shared?.();
      await within(CLAIM_WAIT_MS, this.claims!.done(eventId));
    } catch (error) {
      this.logger.warn(
        { eventId, err: reasonOf(error) },
        'event id not remembered across instances (Redis did not answer)',
      );
    }
  }

  /** Starts a reporter's exclusive work: at once alone; with a cluster, while this instance holds the reporter's lease. */
  private async runExclusive(name: string, work: ExclusiveWork): Promise<void> {
    if (!this.cluster) {
      await work.start();
      this.exclusives.set(name, { stop: async () => void (await work.stop()) });
      return;
    }
    const lease = this.cluster.lease(`reporter:${name}`, {
      acquired: async () => {
        await work.start();
        this.deliveries.serve?.(name, true);
      },
      lost: async () => {
        this.deliveries.serve?.(name, false);
        await work.stop();
      },
    });
    this.exclusives.set(name, lease);
    await lease.start();
  }

  private async stopExclusive(name: string): Promise<void> {
    const running = this.exclusives.get(name);
    this.exclusives.delete(name);
    try {
      await running?.stop();
    } catch (error) {
      this.logger.error({ reporter: name, err: reasonOf(error) }, 'reporter: stopping its exclusive work failed');
    }
  }

  onDelivery(listener: (outcome: DeliveryOutcome, delivery: QueuedDelivery) => void): void {
    this.deliveries.onOutcome(listener);
  }

  /**
   * A delivery as it would be sent: an HTTP request with the reporter's credentials added by its
   * `authorize` (queued deliveries carry none; a plugin with both `send` and `authorize` calls it in
   * its `send`). For previews, which mask what this adds.
   */
  asSent(delivery: QueuedDelivery): QueuedDelivery {
    const handlers = this.reporters.find((r) => r.name === delivery.reporter)?.handlers;
    if (!handlers?.authorize || httpRequestProblems(delivery.payload).length) return delivery;
    return { ...delivery, payload: handlers.authorize(delivery.payload as HttpRequest) };
  }

  /**
   * Stops: waits up to `drainMs` for deliveries, aborts what still runs, then calls every
   * reporter's close(). Returns how many deliveries were still pending.
   */
  async close(drainMs = DEFAULT_DRAIN_MS): Promise<number> {
    if (this.closed) return 0;
    this.closed = true;
    const pending = await this.deliveries.drain(drainMs);
    for (const name of [...this.exclusives.keys()]) await this.stopExclusive(name);
    if (pending) this.logger.warn({ pending }, 'deliveries still pending at shutdown');
    for (const timer of this.timers) clearInterval(timer);
    this.shutdown.abort();
    await this.deliveries.close();
    this.ledger?.close();
    this.transport.close();
    await this.history.flush();
    // The queue is closed: what reporters a reload replaced still hold has settled, so they close now.
    await Promise.allSettled(this.retiring);
    await closeReporters(this.active, this.logger);
    return pending;
  }
}

/** Calls each reporter's close(); one that fails is logged and the others still close. */
async function closeReporters(reporters: readonly ActiveReporter[], logger: Logger): Promise<void> {
  for (const r of reporters) {
    try {
      await r.handlers.close?.();
    } catch (error) {
      logger.error({ reporter: r.name, err: error }, 'reporter close() failed');
    }
  }
}

interface SetupEnv {
  logger: Logger;
  deliveries: Deliveries;
  config: RuntimeConfig;
  options: RuntimeOptions;
  transport: Transport;
  secrets: Set<string>;
  /** The source's, else the build history's read-only one. */
  master: MasterControl;
  /** When each event being dispatched was received, by id. */
  received: ReadonlyMap<string, number>;
}

/** Sets a reporter up; its sender is registered with the queue by the caller (at start, or at a reload's switch). */
async function setupReporter(
  r: PreparedReporter,
  definition: PluginDefinition<Record<string, unknown>>,
  env: SetupEnv,
): Promise<{ reporter: ActiveReporter; sender: TrackedSender; exclusive?: ExclusiveWork }> {
  const logger = env.logger.child({ reporter: r.name });
  let exclusive: ExclusiveWork | undefined;
  const filter = createReporterFilter(r.filters, r.manifest.filters ?? []);
  const context: PluginContext = {
    name: r.name,
    logger,
    formatter: createFormatterFactory({
      reporter: r.name,
      config: env.config,
      modes: filter.modes,
      reportedBuilds: filter.reportedBuilds,
      master: env.master,
    }),
    deliver: (delivery) => {
      const eventId = handlerScope.getStore()?.eventId;
      const receivedAt = eventId === undefined ? undefined : env.received.get(eventId);
      const handle = env.deliveries.enqueue(r.name, delivery, defined({ eventId, receivedAt }));
      noteDelivery(handle.id);
      return handle;
    },
    skip: (reason) => {
      noteSkip(reason);
      logger.info(defined({ eventId: handlerScope.getStore()?.eventId }), `no delivery: ${reason}`);
    },
    http: createHttpClient({
      transport: env.transport,
      secrets: env.secrets,
      tls: resolveTls(r.spec.tls, env.config.configDir, r.name),
      timeoutMs: r.spec.delivery?.timeoutMs ?? DEFAULT_DELIVERY_SETTINGS.timeoutMs,
    }),
    config: env.config,
    master: env.master,
    reportedBuilds: filter.reportedBuilds,
    exclusive: (work) => {
      if (exclusive) throw new Error('exclusive() was called twice: one exclusive work per reporter');
      exclusive = work;
    },
    // A preview serves nothing.
    webhook: (handle) => (env.config.dryRun ? undefined : env.options.webhooks?.add(r.name, handle)),
  };
  let handlers: ReporterHandlers;
  try {
    handlers = await withinSetupTime(
      () => definition.setup(structuredClone(r.options), context),
      env.options.setupTimeout ?? DEFAULT_SETUP_TIMEOUT_MS,
    );
  } catch (error) {
    throw new BbrError(
      'BBR_PLUGIN_SETUP',
      `reporter "${r.name}" (${r.plugin.packageName}): setup() failed: ${reasonOf(error)}`,
      { cause: error },
    );
  }
  checkHandlers(r, handlers);
  // A reporter without send() delivers HTTP request descriptions through core's sender.
  const sender = trackAttempts(
    handlers.send
      ? pluginSender(handlers.send.bind(handlers))
      : httpSender(context.http, handlers.authorize?.bind(handlers)),
  );
  const reporter: ActiveReporter = {
    name: r.name,
    hooks: r.manifest.hooks,
    handlers,
    timeoutMs: r.spec.handlerTimeout ?? env.options.handlerTimeout ?? DEFAULT_HANDLER_TIMEOUT_MS,
    logger,
    skipReason: filter.skipReason,
  };
  return { reporter, sender, ...defined({ exclusive }) };
}

/** Whether `logger` writes debug lines (a pino logger says; any other logger is assumed to). */
function isDebugEnabled(logger: Logger): boolean {
  const isLevelEnabled = (logger as { isLevelEnabled?: (level: string) => boolean }).isLevelEnabled;
  return isLevelEnabled ? isLevelEnabled.call(logger, 'debug') : true;
}

/**
 * A plugin's setup(), bounded: one that never settles would otherwise leave start-up waiting for
 * ever, or (with nothing else to wait for) let the process exit 0 without a word.
 */
async function withinSetupTime<T>(setup: () => T | Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`setup() did not settle within ${timeoutMs} ms (config setupTimeout)`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([Promise.resolve().then(setup), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/** The ledger under `stateDir`, with what an earlier version's outbox journal left open moved into it. */
function openLedger(
  stateDir: string,
  logger: Logger,
  secrets: ReadonlySet<string>,
  retention: Partial<RetentionSettings> | undefined,
): SqliteLedger {
  const ledger = new SqliteLedger(stateDir, {
    logger,
    // Read at each use: the reporters' secrets join the set after the ledger opens.
    mask: (text) =>
      maskSecrets(
        text,
        [...secrets].sort((a, b) => b.length - a.length),
      ),
    ...defined({ retention }),
  });
  try {
    importJournals(stateDir, ledger, logger);
  } catch (error) {
    ledger.close();
    throw new BbrError('BBR_STATE_DIR', `the outbox journal could not be moved into the ledger: ${reasonOf(error)}`, {
      cause: error,
    });
  }
  return ledger;
}
