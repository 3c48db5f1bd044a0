/**
 * What a plugin author writes against: `definePlugin`, the context core hands to `setup`, the
 * handlers `setup` returns. Plugins never touch tapable; core taps their handlers for them.
 */
import type { BuildPayload, BuildsetPayload, EventName, EventsByName, Worker, WorkerPayload } from './events/events.js';
import type { ModeSetting } from './filters/mode.js';
import type {
  MessageFormatterOptions,
  MissingWorkerFormatterOptions,
  PluginManifest,
  TemplateType,
} from './generated/schemas.js';
import type { HttpClient, HttpRequest } from './http/request.js';
import type { Logger } from './diagnostics/logger.js';
import type { MasterControl } from './buildbot-api/master-control.js';
import type { DeliveryOutcome } from './dispatch/outcomes.js';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** The plugin API version this core implements; a manifest's `apiVersion` must equal it. */
export const API_VERSION = 1;

/** Something to send, decided by a handler: a serialisable payload for one target. */
export interface Delivery<P = unknown> {
  /** Deliveries to one target are sent in order; a newer one supersedes an older one still waiting. */
  target: string;
  payload: P;
  /**
   * Default true: this delivery replaces any older one to the same target still waiting (not yet
   * sent, or waiting for a retry). false: it queues behind them (messages that must all arrive, in order).
   */
  supersede?: boolean;
}

/** A delivery as core hands it to `send`. */
export interface QueuedDelivery<P = unknown> extends Delivery<P> {
  id: string;
  reporter: string;
  eventId?: string;
  /** 1 for the first try. */
  attempt: number;
  /** When it was queued (ms since the epoch; a delivery from the ledger: when it was queued again (a restart, a retry)). */
  queuedAt: number;
  /** When core received the event it is for (ms since the epoch); absent when restored from the ledger. */
  receivedAt?: number;
}

export interface DeliveryHandle {
  id: string;
  /** Settles (never rejects) when the delivery is sent, failed for good, or superseded. */
  settled: Promise<DeliveryOutcome>;
}

export interface HandlerOptions {
  /** Aborted when the handler runs past its timeout or core shuts down. */
  signal: AbortSignal;
}

export interface SendOptions {
  signal: AbortSignal;
}

export type Handler<E> = (event: E, options: HandlerOptions) => void | Promise<void>;

export type EventHandlers = { [K in EventName]?: Handler<EventsByName[K]> };

export interface ReporterHandlers extends EventHandlers {
  /**
   * Performs one delivery. Throw to fail it; an error with `retryable: false` is not retried,
   * one with `retryAfterMs` waits that long before the next try. Return value is recorded as
   * the outcome's `response`.
   */
  send?: (delivery: QueuedDelivery, options: SendOptions) => unknown | Promise<unknown>;
  /**
   * For reporters whose HTTP requests core sends: adds the reporter's credentials (a token
   * header, Basic auth, a token query parameter) to a request right before each attempt. The
   * requests a handler delivers then carry none, so no secret is written to the ledger on disk or
   * shown by `preview`.
   */
  authorize?: (request: HttpRequest) => HttpRequest;
  /** Called once when core shuts down, after deliveries are drained. */
  close?: () => void | Promise<void>;
  /**
   * What this reporter needs with the options it was given: a subset of its manifest's `needs`
   * (default: all of them), so core does not fetch, say, log contents a reporter will not use.
   */
  needs?: NonNullable<PluginManifest['needs']>;
}

/** Facts from the config file a plugin may use. */
export interface RuntimeConfig {
  title: string;
  titleURL?: string;
  buildbotURL?: string;
  /** Absolute path of the state folder. */
  stateDir: string;
  /** Absolute path of the config file's folder (relative paths in options resolve from here). */
  configDir: string;
  /**
   * True in `bbreporters preview` (and `createReporters({dryRun})`): nothing will be sent, so a
   * plugin should not connect to its service (an IRC bot stays offline).
   */
  dryRun: boolean;
}

export interface PluginContext {
  /** The reporter's identity (config `name`, default the plugin's short name). */
  name: string;
  logger: Logger;
  /** Buildbot's MessageFormatter (ejs), bound to this reporter: its errors name it, its mode is the default. */
  formatter: FormatterFactory;
  deliver<P>(delivery: Delivery<P>): DeliveryHandle;
  /**
   * Says, in plain words, why the event being handled (or a part of it: one source stamp, one
   * recipient list) gets no delivery: "no recipients", "the repository URL names no owner/repo".
   * Core logs it (info) and records it on the handler's outcome: a handler that delivers nothing
   * and calls this is `skipped` with the reason, which `bbreporters preview` prints.
   */
  skip(reason: string): void;
  /** Core's HTTP client with this reporter's TLS settings and timeout, for ad-hoc calls (a project-id lookup, an OAuth token). */
  http: HttpClient;
  /** Present when a source can control the master (the `buildbot` source). */
  master?: MasterControl;
  config: RuntimeConfig;
  /**
   * The builds of a finished buildset that this reporter's filters (builders, tags, schedulers,
   * branches, mode) let through: core reports a buildset when any build passes, and a summary
   * covers only these.
   */
  reportedBuilds(buildset: BuildsetPayload): BuildPayload[];
  /**
   * Work only one instance may do at a time, such as a chat bot's connection. Alone (the default
   * queue), `start` runs once setup() returned; with several instances on Redis, it runs on the
   * instance holding this reporter's lease (`stop` when it loses it), and the reporter's deliveries
   * are sent there. Call it at most once, from setup().
   */
  exclusive(work: ExclusiveWork): void;
  /**
   * Serves a web-hook (a chat service pushing updates) on the http source's server at
   * `/hooks/<reporter name>`, and returns that path; undefined when the service has no http
   * source (or in a preview). The source's credentials do not apply: the handler checks its own
   * (a secret header, like Telegram's). Call it at most once, from setup(); a reload replaces it.
   */
  webhook(handle: WebhookHandler): string | undefined;
}

/** Answers one request to a reporter's web-hook path (any method; the reporter checks it). */
export type WebhookHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export interface ExclusiveWork {
  start(): void | Promise<void>;
  stop(): void | Promise<void>;
}

/** A rendered message: Buildbot's report `body`, `subject`, `type`. */
export interface FormattedMessage {
  /** Absent when no subject template applies: the reporter then uses its own subject (e.g. mail's `subject`). */
  subject?: string;
  body: string;
  type: TemplateType;
}

export interface FormatBuildOptions {
  /** For `mode` and `status_detected`; default: this reporter's `mode` filter, else Buildbot's default. */
  mode?: ModeSetting;
  /** Default: the payload's `blamelist`, else change authors + `owner`/`owners` properties (sorted). */
  blamelist?: readonly string[];
}

export interface FormatBuildsetOptions extends FormatBuildOptions {
  /** The builds to include; default: the buildset's builds that pass this reporter's filters. */
  builds?: readonly BuildPayload[];
}

/** buildAdditionalContext given as code (plugins); users give a module reference `./file.mjs#fn`. */
export type AdditionalContextFunction = (
  context: Record<string, unknown>,
  env: { master?: MasterControl; config: RuntimeConfig; build?: BuildPayload; worker?: Worker },
) => void | Record<string, unknown> | Promise<void | Record<string, unknown>>;

export type FormatterOptions = Omit<MessageFormatterOptions, 'buildAdditionalContext'> & {
  buildAdditionalContext?: string | AdditionalContextFunction;
};
export type MissingWorkerOptions = Omit<MissingWorkerFormatterOptions, 'buildAdditionalContext'> & {
  buildAdditionalContext?: string | AdditionalContextFunction;
};

/**
 * Buildbot's MessageFormatter. Rendering never throws synchronously; a template that fails rejects
 * with a BbrError BBR_TEMPLATE naming the reporter and the template (the hook outcome records it).
 */
export interface MessageFormatter {
  readonly type: TemplateType;
  /** What the templates want in the build (wantProperties/wantSteps/wantLogs; the default templates want steps and logs). */
  readonly wants: { properties: boolean; steps: boolean; logs: boolean };
  /** One build (a build payload or a buildStarted/buildFinished event). */
  formatBuild(build: BuildPayload | { payload: BuildPayload }, options?: FormatBuildOptions): Promise<FormattedMessage>;
  /** Buildbot's buildset summary: bodies concatenated in build order, the first build's subject. */
  formatBuildset(
    buildset: BuildsetPayload | { payload: BuildsetPayload },
    options?: FormatBuildsetOptions,
  ): Promise<FormattedMessage>;
  /** The buildset's builds that pass this reporter's filters: what formatBuildset includes by default (a summary's recipients and attachments come from them). */
  reportedBuilds(buildset: BuildsetPayload | { payload: BuildsetPayload }): BuildPayload[];
}

/** Buildbot's MessageFormatterMissingWorker. */
export interface MissingWorkerFormatter {
  readonly type: TemplateType;
  formatWorkerMissing(worker: Worker | WorkerPayload | { payload: WorkerPayload }): Promise<FormattedMessage>;
}

/**
 * `ctx.formatter`: creates formatters from options (the schema's `#/$defs/messageFormatter` /
 * `missingWorkerFormatter`). Bad options (template and template_dir together, a missing file, a
 * template that does not compile) throw BbrError BBR_FORMATTER_OPTIONS naming the reporter.
 */
export interface FormatterFactory {
  create(options?: FormatterOptions): MessageFormatter;
  createMissingWorker(options?: MissingWorkerOptions): MissingWorkerFormatter;
}

export interface PluginDefinition<Options = Record<string, unknown>> {
  setup(options: Options, context: PluginContext): ReporterHandlers | Promise<ReporterHandlers>;
}

/** Marks a plugin definition; a registry symbol, so it survives duplicate copies of core. */
export const PLUGIN_MARK = Symbol.for('bbreporters.plugin');

export type DefinedPlugin<Options> = PluginDefinition<Options> & { readonly [PLUGIN_MARK]: number };

/** Declares a plugin: `export default definePlugin<Options>({ setup(options, ctx) { … } })`. */
export function definePlugin<Options = Record<string, unknown>>(
  definition: PluginDefinition<Options>,
): DefinedPlugin<Options> {
  if (typeof definition?.setup !== 'function')
    throw new TypeError('definePlugin needs an object with a setup(options, context) function');
  return Object.freeze({ ...definition, [PLUGIN_MARK]: API_VERSION });
}
