/**
 * The source contract: where events come from (the http endpoint, a replay file, a live
 * Buildbot master). A source hands each raw input (an envelope or an HttpStatusPush body) to
 * the sink and learns the outcome; a source that can control the master exposes `master`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ErrorDetail } from '../diagnostics/errors.js';
import type { Logger } from '../diagnostics/logger.js';
import type { SourceConfig } from '../generated/schemas.js';
import type { Enricher } from '../enrichment/enricher.js';
import type { MasterControl } from '../buildbot-api/master-control.js';
import type { DispatchResult } from '../dispatch/outcomes.js';
import type { EventName } from '../events/events.js';
import type { Cluster } from '../cluster/cluster.js';

/** Validates and dispatches one input; rejects with BBR_EVENT_INVALID for bad input. */
export type EventSink = (input: unknown) => Promise<DispatchResult>;

export interface Source {
  /** `http`, `replay`, `buildbot` … for logs. */
  readonly type: string;
  /** Starts receiving; resolves once the source is ready (listening, connected, or reading). */
  start(sink: EventSink): Promise<void>;
  /** Stops receiving new events; resolves when in-flight inputs were handed to the sink. */
  close(): Promise<void>;
  /** Present when the source can query or control the master. */
  readonly master?: MasterControl;
  /** Present when the source can ask the master for what reporters `need` (pass it to the Runtime). */
  readonly enricher?: Enricher;
  /**
   * Present on finite sources (a replay file): resolves when every input was handed to the
   * sink, so `run` can stop once all its sources are done.
   */
  readonly done?: Promise<void>;
  /** Present on sources that hold a connection (a Buildbot master's websocket): its state now, for metrics. */
  connectionState?(): ConnectionState;
  /**
   * Present on sources that must run on one instance at a time in the Redis mode (the buildbot
   * source): the name of their lease there (cluster/leader-source.ts). Ignored without a cluster.
   */
  readonly lease?: string;
}

export interface ConnectionState {
  up: boolean;
  /** When the last message came over the connection (ms since the epoch); absent before the first. */
  lastMessageAt?: number;
  /** Present in the Redis mode on a source that runs on one instance at a time: whether it runs on this one. */
  leader?: boolean;
}

/**
 * A page or an API the service adds to the http source's server (`/metrics`, `/deliveries/ID`,
 * the console at `/ui/`), behind the same credentials as events. The source authenticates the
 * request, then hands it over whole: an endpoint may stream (server-sent events).
 */
export interface ServiceEndpoint {
  /** An exact path (`/metrics`), or a prefix ending in `/` (`/deliveries/`) that also answers without it. */
  path: string;
  /** Methods it answers (HEAD goes with GET); others get 405. */
  methods: readonly string[];
  handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void>;
  /** Answered without the source's credentials: the endpoint checks its own (a reporter's web-hook). */
  open?: boolean;
}

/** Where the ingest answer points for each delivery (the service's delivery endpoint). */
export const DELIVERY_PATH = '/deliveries/';

export interface SourceContext {
  /** The config file's folder: relative paths in a source's entry resolve from here. */
  configDir: string;
  logger: Logger;
  /** Standard input, for sources that read it (replay with file '-'). */
  stdin?: NodeJS.ReadableStream;
  /** Absolute state folder (config `stateDir`): the buildbot source keeps its view of the master there. */
  stateDir: string;
  /** Config `buildbotURL`: where build links point. */
  buildbotURL?: string;
  /** What the service serves beside events (metrics, the ledger's API, the console), when a source has a server. */
  endpoints?: readonly ServiceEndpoint[];
  /** The Redis mode's shared parts (config `queue: {type: redis}`): leases, the shared cursor. */
  cluster?: Cluster;
}

export interface SourceType<C extends SourceConfig = SourceConfig> {
  /**
   * Problems the schema cannot see (an address that does not parse, auth missing on a public
   * address). Paths are relative to the entry: `listen`, `password`.
   */
  check?(config: C, context: Pick<SourceContext, 'configDir'>): Array<Pick<ErrorDetail, 'path' | 'message'>>;
  /**
   * The events a Buildbot master sends through a source of this type (HttpStatusPush posts
   * builds only); absent: every event. `check` and `run` warn about reporter features that wait
   * for an event no configured source gets. Envelopes posted or replayed by other tools can
   * still carry any event.
   */
  readonly events?: readonly EventName[];
  /** One line for `bbreporters check`: where events come from, credentials masked (e.g. `POST http://127.0.0.1:8020/ (auth: bearer token)`). */
  describe(config: C): string;
  /**
   * Creates the source; it starts receiving only when `start(sink)` is called. It may import its
   * implementation first (a promise), so commands that only check a config never load it.
   */
  create(config: C, context: SourceContext): Source | Promise<Source>;
}
