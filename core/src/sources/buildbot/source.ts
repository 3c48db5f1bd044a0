/**
 * The `buildbot` source: a live Buildbot master's websocket data API → the four events.
 *
 * - `builds/N/new` → buildStarted, `builds/N/finished` → buildFinished (each build payload
 *   completed over REST: properties, builder, buildset, buildrequest, url; `builds/N/update`,
 *   which arrives even before `new`, is ignored).
 * - `buildsets/N/complete` → buildsetFinished with the buildset's builds, after their own
 *   finished events.
 * - `workers/N/missing` → workerMissing.
 * After a reconnect (and after a restart, when `stateFile` or `cursorStore` is set) it asks the
 * REST API for the builds and buildsets that started or finished meanwhile; the ids of reported
 * events keep each one from being reported twice. What the reporters `need` beyond that is filled
 * by `enricher` (pass it to the Runtime). It may be started again after `close()` (in the Redis
 * mode it follows the master while its instance holds the lease, cluster/leader-source.ts): each
 * start reads the cursor anew, so it goes on from what whoever followed before saved.
 */
import { deriveEventId } from '../../events/envelope.js';
import { BbrError, isBbrError, reasonOf } from '../../diagnostics/errors.js';
import type { Build, Buildset, BuildPayload, EventEnvelope, Step, Worker } from '../../events/events.js';
import { RestEnricher } from '../../buildbot-api/rest-enricher.js';
import type { Logger } from '../../diagnostics/logger.js';
import { KeyedSerializer } from '../../dispatch/ordering.js';
import type { ConnectionState, EventSink, Source } from '../source.js';
import { Cursor, FileCursorStore, type CursorStore } from './cursor.js';
import { asAtBuildEvent } from '../../buildbot-api/as-at-event.js';
import { ownersProperty } from '../../buildbot-api/build-owners.js';
import { RestMasterControl } from '../../buildbot-api/rest-master-control.js';
import { BuildbotRestClient, type BuildbotConnection } from '../../buildbot-api/rest-client.js';
import { DataApiConnection, websocketUrl, type DataApiEvent } from './websocket.js';

// steps/*/finished: what a build's finish needs of its steps is read while it runs.
export const SUBSCRIBED_PATHS = ['builds/*/*', 'buildsets/*/*', 'workers/*/*', 'steps/*/finished'] as const;

export interface BuildbotSourceOptions extends BuildbotConnection {
  /** The web UI URL build links point to (config `buildbotURL`); default `url`. */
  buildbotURL?: string;
  /** Keeps the source's view of the master across restarts (builds finished while it was down are reported). */
  stateFile?: string;
  /** Where that view is kept instead of `stateFile` (the Redis mode shares it between instances). */
  cursorStore?: CursorStore;
  /** In the Redis mode: the lease that lets one instance at a time follow the master (Source.lease). */
  lease?: string;
  /** First reconnect delay; doubles up to maxDelayMs, with jitter. */
  reconnectDelayMs?: number;
  reconnectMaxDelayMs?: number;
  /** Websocket keep-alive: a ping this often, and the connection is dropped when nothing came back for twice as long. */
  pingIntervalMs?: number;
  logger?: Logger;
}

const silent: Logger = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, fatal() {}, child: () => silent };

export class BuildbotSource implements Source {
  readonly type = 'buildbot';
  readonly master: RestMasterControl;
  readonly enricher: RestEnricher;
  readonly lease?: string;
  private readonly rest: BuildbotRestClient;
  private readonly cursorStore: CursorStore | undefined;
  /** Read anew at each start. */
  private cursor: Cursor;
  private readonly logger: Logger;
  private readonly order = new KeyedSerializer();
  /** The last task of each build, so a buildset waits for its builds' events. */
  private readonly buildTasks = new Map<number, Promise<unknown>>();
  private readonly inFlight = new Set<Promise<unknown>>();
  /** Schedulers of open buildsets: `buildsets/N/complete` does not carry it. */
  private readonly schedulers = new Map<number, string>();
  private sink?: EventSink;
  private connection?: DataApiConnection;
  private closing = false;
  private reconnectTimer?: NodeJS.Timeout;
  /** A catch-up planned after an event could not be completed while the connection stayed up. */
  private retryTimer?: NodeJS.Timeout;
  private wakeReconnect?: () => void;
  /** Resolves when the running reconnect loop ends. */
  private loop?: Promise<void>;

  constructor(private readonly options: BuildbotSourceOptions) {
    this.rest = new BuildbotRestClient(options);
    this.master = new RestMasterControl(this.rest);
    this.enricher = new RestEnricher(this.rest, options.buildbotURL ? { buildbotURL: options.buildbotURL } : {});
    this.cursorStore = options.cursorStore ?? (options.stateFile ? new FileCursorStore(options.stateFile) : undefined);
    this.cursor = new Cursor(this.rest.baseUrl, this.cursorStore);
    this.logger = (options.logger ?? silent).child({ source: 'buildbot', url: this.rest.baseUrl });
    if (options.lease) this.lease = options.lease;
  }

  /** Connects and subscribes; rejects (BBR_BUILDBOT_AUTH, BBR_SOURCE_START) when the first connection fails. */
  async start(sink: EventSink): Promise<void> {
    this.sink = sink;
    this.closing = false;
    this.schedulers.clear();
    this.cursor = new Cursor(this.rest.baseUrl, this.cursorStore);
    const problem = await this.cursor.load();
    if (problem) this.logger.warn({ state: this.cursorStore?.where }, problem);
    try {
      await this.connect();
    } catch (error) {
      this.rest.close();
      if (isBbrError(error) && error.code === 'BBR_BUILDBOT_AUTH') throw error;
      const reason = isBbrError(error) ? error.message : reasonOf(error);
      throw new BbrError('BBR_SOURCE_START', `buildbot source cannot connect to ${this.rest.baseUrl}: ${reason}`, {
        cause: error,
      });
    }
    this.loop = this.stayConnected();
  }

  connectionState(): ConnectionState {
    const connection = this.connection;
    if (!connection) return { up: false };
    return { up: !this.closing && connection.isOpen, lastMessageAt: connection.lastMessageAt };
  }

  async close(): Promise<void> {
    this.closing = true;
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.retryTimer);
    this.wakeReconnect?.();
    this.connection?.close();
    await this.loop;
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
    await this.saveCursor();
    this.rest.close();
  }

  /** One connection: websocket subscribed first, then the REST catch-up, so nothing falls in between. */
  private async connect(): Promise<void> {
    const headers = await this.rest.authHeaders();
    this.connection = await DataApiConnection.open({
      url: websocketUrl(this.rest.baseUrl),
      headers,
      paths: SUBSCRIBED_PATHS,
      onEvent: (event) => this.onEvent(event),
      pingIntervalMs: this.options.pingIntervalMs ?? 30_000,
      openTimeoutMs: this.options.timeoutMs ?? 30_000,
    });
    if (this.closing) {
      this.connection.close();
      return;
    }
    this.logger.info({ paths: SUBSCRIBED_PATHS }, 'connected to the master');
    try {
      await this.track(this.catchUp());
    } catch (error) {
      this.connection.close();
      throw error;
    }
  }

  /** Reconnects with exponential backoff and jitter whenever the connection ends. */
  private async stayConnected(): Promise<void> {
    let attempt = 0;
    while (!this.closing) {
      const reason = await this.connection!.closed;
      if (this.closing) return;
      this.logger.warn({ reason }, 'connection to the master lost; reconnecting');
      for (;;) {
        const base = Math.min(
          this.options.reconnectMaxDelayMs ?? 30_000,
          (this.options.reconnectDelayMs ?? 500) * 2 ** attempt,
        );
        attempt += 1;
        await new Promise<void>((resolve) => {
          this.wakeReconnect = resolve;
          this.reconnectTimer = setTimeout(resolve, base / 2 + Math.random() * (base / 2));
        });
        if (this.closing) return;
        try {
          await this.connect();
          this.logger.info({ attempts: attempt }, 'reconnected to the master');
          attempt = 0;
          break;
        } catch (error) {
          this.logger.warn({ err: reasonOf(error), attempt }, 'reconnecting to the master failed');
        }
      }
    }
  }

  private track<T>(task: Promise<T>): Promise<T> {
    this.inFlight.add(task);
    void task.finally(() => this.inFlight.delete(task)).catch(() => {});
    return task;
  }

  private onEvent({ k, m }: DataApiEvent): void {
    if (this.closing) return;
    const [kind, , verb] = k.split('/');
    if (kind === 'builds' && (verb === 'new' || verb === 'finished')) {
      const build = m as unknown as Build;
      this.cursor.buildSeen(build.buildid, false);
      void this.scheduleBuild(build, verb === 'new' ? 'buildStarted' : 'buildFinished');
    } else if (kind === 'buildsets' && verb === 'new') {
      const buildset = m as unknown as Buildset;
      if (buildset.scheduler) this.schedulers.set(buildset.bsid, buildset.scheduler);
      this.cursor.buildsetSeen(buildset.bsid, false);
    } else if (kind === 'buildsets' && verb === 'complete') {
      void this.scheduleBuildset(m as unknown as Buildset);
    } else if (kind === 'steps' && verb === 'finished') {
      this.enricher.stepFinished(m as unknown as Step);
    } else if (kind === 'workers' && verb === 'missing') {
      const worker = m as unknown as Worker;
      void this.track(
        this.order.run(`worker:${worker.workerid}`, () => this.report({ event: 'workerMissing', payload: { worker } })),
      );
    }
  }

  private scheduleBuild(build: Build, event: 'buildStarted' | 'buildFinished'): Promise<void> {
    const task = this.order.run(`build:${build.buildid}`, async () => {
      if (this.cursor.wasReported(`buildFinished:${build.buildid}`)) return;
      if (event === 'buildStarted' && this.cursor.wasReported(`buildStarted:${build.buildid}`)) return;
      try {
        const payload = asAtBuildEvent(await this.buildPayload(build, event), event);
        if (await this.report({ event, payload })) this.cursor.buildSeen(build.buildid, event === 'buildFinished');
      } catch (error) {
        this.notReported(`${event}:${build.buildid}`, error);
      }
      await this.saveCursor();
    });
    this.buildTasks.set(build.buildid, task);
    void task
      .finally(() => this.buildTasks.get(build.buildid) === task && this.buildTasks.delete(build.buildid))
      .catch(() => {});
    return this.track(task);
  }

  /** The build as the enricher completes it, with the `owners` a start's REST read may come too early to show. */
  private async buildPayload(build: Build, event: 'buildStarted' | 'buildFinished'): Promise<BuildPayload> {
    // A finish with everything the reporters need in one go, so the runtime's enrichment finds nothing left
    // to ask (a start's steps are cut back to the start by the runtime's enrichment: left to it).
    const needs = event === 'buildFinished' ? this.enricher.plannedNeeds(event) : undefined;
    const payload = await this.enricher.buildPayload(build, needs);
    if (event === 'buildFinished' || payload.properties?.owners) return payload;
    const owners = await ownersProperty(this.rest, payload);
    return owners ? { ...payload, properties: { ...payload.properties, owners } } : payload;
  }

  private scheduleBuildset(buildset: Buildset): Promise<void> {
    return this.track(
      this.order.run(`buildset:${buildset.bsid}`, async () => {
        if (this.cursor.wasReported(`buildsetFinished:${buildset.bsid}`)) return;
        try {
          await this.reportBuildset(buildset);
        } catch (error) {
          this.notReported(`buildsetFinished:${buildset.bsid}`, error);
        }
        await this.saveCursor();
      }),
    );
  }

  private async reportBuildset(buildset: Buildset): Promise<void> {
    const builds = await this.buildsOf(buildset.bsid);
    // Each build's own finished event goes first.
    await Promise.allSettled(builds.map((b) => this.buildTasks.get(b.buildid)).filter(Boolean));
    const scheduler = buildset.scheduler ?? this.schedulers.get(buildset.bsid) ?? schedulerProperty(builds);
    const complete: Buildset = { ...buildset, ...(scheduler ? { scheduler } : {}) };
    const payloads: BuildPayload[] = [];
    for (const build of builds) payloads.push({ ...(await this.enricher.buildPayload(build)), buildset: complete });
    if (await this.report({ event: 'buildsetFinished', payload: { buildset: complete, builds: payloads } })) {
      this.cursor.buildsetSeen(buildset.bsid, true);
      this.schedulers.delete(buildset.bsid);
    }
  }

  /** An event that could not be completed or handed over: it stays open for the next catch-up, planned now. */
  private notReported(eventId: string, error: unknown): void {
    this.logger.error({ eventId, err: reasonOf(error) }, 'event not reported yet; it is retried');
    this.planRetry();
  }

  private planRetry(): void {
    if (this.closing || this.retryTimer) return;
    const delay = Math.min(this.options.reconnectMaxDelayMs ?? 30_000, 10 * (this.options.reconnectDelayMs ?? 500));
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.closing) return;
      this.track(this.catchUp()).catch((error: unknown) => {
        this.logger.warn({ err: reasonOf(error) }, 'catching up failed; trying again');
        this.planRetry();
      });
    }, delay);
    this.retryTimer.unref();
  }

  /**
   * The builds of a buildset in Buildbot's order (utils.getDetailsForBuildset): by build request,
   * then by build within a request (a retried request has several). Not by build id: the master
   * starts a buildset's builds in builder-name order, so ids can run against the requests, and a
   * summary's subject is its first build's.
   */
  private async buildsOf(bsid: number): Promise<Build[]> {
    const requests = await this.rest.list<{ buildrequestid: number }>('buildrequests', 'buildrequests', {
      buildsetid: bsid,
    });
    const byRequest = [...requests].sort((a, b) => a.buildrequestid - b.buildrequestid);
    const builds = await Promise.all(
      byRequest.map(async (r) =>
        (await this.rest.list<Build>('builds', 'builds', { buildrequestid: r.buildrequestid, property: '*' })).sort(
          (a, b) => a.buildid - b.buildid,
        ),
      ),
    );
    return builds.flat();
  }

  /**
   * Hands one envelope to the sink. Returns false when it could not be reported (the master's
   * REST API failed): the event stays unreported, and the next catch-up tries again.
   */
  private async report(envelope: EventEnvelope): Promise<boolean> {
    const id = deriveEventId(envelope);
    if (this.cursor.wasReported(id)) return true;
    this.cursor.markReported(id);
    try {
      await this.sink!({ ...envelope, id });
      return true;
    } catch (error) {
      if (isBbrError(error) && error.code === 'BBR_EVENT_INVALID') {
        this.logger.error(
          { eventId: id, err: error.message, details: error.details },
          'the master sent an event core cannot accept; skipped',
        );
        return true;
      }
      this.cursor.unmarkReported(id);
      this.notReported(id, error);
      return false;
    }
  }

  /**
   * Asks the REST API what happened while no connection was up. On the very first connection
   * (no state yet) it only records where the master is, so history is not replayed.
   */
  private async catchUp(): Promise<void> {
    if (!this.cursor.initialised) {
      const [newestBuild, newestBuildset, running, open] = await Promise.all([
        this.rest.one<Build>('builds', 'builds', { order: '-buildid', limit: 1 }),
        this.rest.one<Buildset>('buildsets', 'buildsets', { order: '-bsid', limit: 1 }),
        this.rest.list<Build>('builds', 'builds', { complete: false }),
        this.rest.list<Buildset>('buildsets', 'buildsets', { complete: false }),
      ]);
      this.cursor.maxBuildid = Math.max(this.cursor.maxBuildid, newestBuild?.buildid ?? 0);
      this.cursor.maxBsid = Math.max(this.cursor.maxBsid, newestBuildset?.bsid ?? 0);
      for (const b of running) this.cursor.running.add(b.buildid);
      for (const s of open) this.cursor.openBuildsets.add(s.bsid);
      this.cursor.initialised = true;
      await this.saveCursor();
      return;
    }
    const [newBuilds, known, newBuildsets, openBuildsets] = await Promise.all([
      this.rest.list<Build>('builds', 'builds', { buildid__gt: this.cursor.maxBuildid, property: '*' }),
      Promise.all(
        [...this.cursor.running].map((id) => this.rest.one<Build>(`builds/${id}`, 'builds', { property: '*' })),
      ),
      this.rest.list<Buildset>('buildsets', 'buildsets', { bsid__gt: this.cursor.maxBsid }),
      Promise.all([...this.cursor.openBuildsets].map((id) => this.rest.one<Buildset>(`buildsets/${id}`, 'buildsets'))),
    ]);
    const builds = new Map<number, Build>();
    for (const b of [...known, ...newBuilds]) if (b) builds.set(b.buildid, b);
    const missed = [...builds.values()].sort((a, b) => a.buildid - b.buildid);
    if (missed.length)
      this.logger.info({ builds: missed.map((b) => b.buildid) }, 'catching up on builds seen over REST');
    const tasks: Array<Promise<void>> = [];
    const unheardOf = new Set(newBuilds.map((b) => b.buildid));
    for (const build of missed) {
      this.cursor.buildSeen(build.buildid, false);
      // Buildbot's reporters had `new` and `finished` of a build that ran meanwhile: both are reported, in order.
      if (build.complete && unheardOf.has(build.buildid)) tasks.push(this.scheduleBuild(build, 'buildStarted'));
      tasks.push(this.scheduleBuild(build, build.complete ? 'buildFinished' : 'buildStarted'));
    }
    for (const buildset of [...openBuildsets, ...newBuildsets]) {
      if (!buildset) continue;
      this.cursor.buildsetSeen(buildset.bsid, false);
      if (buildset.complete) tasks.push(this.scheduleBuildset(buildset));
    }
    await Promise.all(tasks);
  }

  private async saveCursor(): Promise<void> {
    try {
      await this.cursor.save();
    } catch (error) {
      this.logger.error({ err: reasonOf(error), state: this.cursorStore?.where }, 'cannot write the source state');
    }
  }
}

function schedulerProperty(builds: Build[]): string | undefined {
  const value = builds.find((b) => b.properties?.scheduler)?.properties?.scheduler?.[0];
  return typeof value === 'string' ? value : undefined;
}
