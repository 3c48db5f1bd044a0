/**
 * The programmatic API: `createReporters(config)` runs the configured reporters inside any
 * program (another CI, a script). `config` is a YAML file's path or the same data as an object;
 * it is checked exactly as `bbreporters check` does. Sources are not started: the caller emits.
 */
import type { DestinationStream } from 'pino';
import { checkConfig, loadConfig, type LoadedConfig } from '../config/load.js';
import type { Enricher } from '../enrichment/enricher.js';
import type { Config, RetentionConfig } from '../generated/schemas.js';
import type { RetentionSettings } from '../ledger/ledger.js';
import type { MasterControl } from '../buildbot-api/master-control.js';
import type { DeliveryOutcome, DispatchResult } from '../dispatch/outcomes.js';
import type { QueuedDelivery } from '../plugin-api.js';
import { Runtime, type RuntimeOptions } from './runtime.js';
import { defined } from '../lang/defined.js';

export interface CreateReportersOptions {
  /** Folder plugin names and relative paths resolve from, for a config object (default: the current folder). */
  configDir?: string;
  /** Where `${NAME}` values come from (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** Overrides the config's `logLevel`. */
  logLevel?: string;
  logDestination?: DestinationStream;
  master?: MasterControl;
  /** Fills what the reporters `need` before dispatch, e.g. createEnricher({url}) for the master's REST API. */
  enricher?: Enricher;
  /** Only these reporters (by name) are set up. */
  only?: readonly string[];
  /** Nothing is sent; every delivery settles as `previewed`. */
  dryRun?: boolean;
  /** Watch every dispatch (tapable interceptors on the hook catalogue); see also `runtime.hooks`. */
  interceptors?: RuntimeOptions['interceptors'];
}

export interface Reporters {
  /**
   * Dispatches an envelope or an HttpStatusPush body; resolves with every reporter's outcome.
   * Rejects with BBR_EVENT_INVALID for bad input. The event is frozen as dispatched (the input's
   * objects included): reporters share it read-only.
   */
  emit(input: unknown): Promise<DispatchResult>;
  /** Called with each delivery's outcome. */
  onDelivery(listener: (outcome: DeliveryOutcome, delivery: QueuedDelivery) => void): void;
  /** Waits until every delivery so far has its outcome (or `timeoutMs`); returns how many are still pending. */
  drain(timeoutMs?: number): Promise<number>;
  /** Drains deliveries (up to `drainMs`), then closes every reporter; returns how many deliveries were still pending. */
  close(drainMs?: number): Promise<number>;
  readonly runtime: Runtime;
  readonly loaded: LoadedConfig;
}

/** The runtime options for a checked config: its prepared reporters, not prepared again. */
export function runtimeOptions(
  loaded: LoadedConfig,
  options: Omit<CreateReportersOptions, 'configDir' | 'env'> = {},
): RuntimeOptions {
  const { config } = loaded;
  const only = options.only;
  return {
    configDir: loaded.configDir,
    prepared: only ? loaded.prepared.filter((r) => only.includes(r.name)) : loaded.prepared,
    secrets: new Set(loaded.secrets),
    ...defined({
      title: config.title,
      titleURL: config.titleURL,
      buildbotURL: config.buildbotURL,
      stateDir: config.stateDir,
      handlerTimeout: config.handlerTimeout,
      setupTimeout: config.setupTimeout,
      logLevel: options.logLevel ?? config.logLevel,
      logDestination: options.logDestination,
      master: options.master,
      enricher: options.enricher,
      interceptors: options.interceptors,
    }),
    ...(options.dryRun ? { dryRun: true } : {}),
    ...(config.retention ? { retention: retentionSettings(config.retention) } : {}),
  };
}

/** Config `retention` (days, count) as the ledger takes it. */
function retentionSettings(retention: RetentionConfig): Partial<RetentionSettings> {
  return defined({
    maxAgeMs: retention.days === undefined ? undefined : retention.days * 24 * 3600_000,
    maxDeliveries: retention.deliveries,
  });
}

/** Checks `config` and sets up its reporters. Throws BBR_CONFIG_INVALID with every problem. */
export async function createReporters(
  config: string | Config,
  options: CreateReportersOptions = {},
): Promise<Reporters> {
  const env = options.env ? { env: options.env } : {};
  const loaded =
    typeof config === 'string'
      ? loadConfig(config, env)
      : checkConfig(config, { configDir: options.configDir ?? process.cwd(), ...env });
  return startReporters(loaded, options);
}

/** Sets up the reporters of a config already checked (`loadConfig`/`checkConfig`): nothing is read or prepared twice. */
export async function startReporters(
  loaded: LoadedConfig,
  options: Omit<CreateReportersOptions, 'configDir' | 'env'> = {},
): Promise<Reporters> {
  const runtime = await Runtime.start(runtimeOptions(loaded, options));
  return {
    emit: (input) => runtime.emit(input),
    onDelivery: (listener) => runtime.onDelivery(listener),
    drain: (timeoutMs) => runtime.deliveries.drain(timeoutMs),
    close: (drainMs) => runtime.close(drainMs),
    runtime,
    loaded,
  };
}
