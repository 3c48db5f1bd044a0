/**
 * The service `bbreporters run` starts: the config's sources feeding its reporters. Stopping
 * closes the sources first (no new events), then drains deliveries within a bound, then closes
 * every reporter.
 */
import type { DestinationStream } from 'pino';
import { loadConfig, type LoadedConfig } from '../config/load.js';
import { configuredEnricher } from '../buildbot-api/create-enricher.js';
import { isBbrError, reasonOf } from '../diagnostics/errors.js';
import { runtimeOptions } from './create-reporters.js';
import { createLogger, type Logger } from '../diagnostics/logger.js';
import { maskSecrets } from '../diagnostics/mask.js';
import { consoleEndpoint, consoleSettings } from '../console/console.js';
import { DEFAULT_DRAIN_MS, DEFAULT_HANDLER_TIMEOUT_MS, DEFAULT_SETUP_TIMEOUT_MS, resolveStateDir } from './defaults.js';
import { ledgerEndpoints } from './ledger-api.js';
import { ServiceMetrics } from './metrics.js';
import { restartOnlyChanges, type ReloadPlan } from './reload.js';
import { Runtime } from './runtime.js';
import { defined } from '../lang/defined.js';
import { createSource } from '../sources/factory.js';
import { Cluster } from '../cluster/cluster.js';
import { LeaderSource } from '../cluster/leader-source.js';
import type { Source } from '../sources/source.js';
import { WebhookRoutes } from '../sources/webhooks.js';

export interface ServiceOptions {
  /** Overrides the config's `logLevel` (the command line's `--log-level`). */
  logLevel?: string;
  logDestination?: DestinationStream;
  /** Standard input, for a replay source reading '-'. */
  stdin?: NodeJS.ReadableStream;
  /** Where a reload reads `${NAME}` values from (default: process.env). */
  env?: NodeJS.ProcessEnv;
}

/** What a reload did: its plan and the settings it left for a restart, or why it was refused (the old reporters run on). */
export type ReloadResult =
  ({ applied: true; restartNeeded: string[] } & ReloadPlan) | { applied: false; error: unknown };

export class Service {
  private stopping: Promise<number> | undefined;
  /** The reload running, if any: reloads run one after another. */
  private reloading: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly runtime: Runtime,
    readonly sources: readonly Source[],
    readonly logger: Logger,
    /** The config the service started with: what a reload compares restart-only settings to. */
    private readonly started: LoadedConfig,
    private readonly options: ServiceOptions,
    private readonly cluster: Cluster | undefined,
  ) {}

  static async start(loaded: LoadedConfig, options: ServiceOptions = {}): Promise<Service> {
    // One logger for the sources and the runtime, masking one set of secrets (the runtime adds its reporters').
    const secrets = new Set(loaded.secrets);
    const logger = createLogger({
      secrets,
      ...defined({ level: options.logLevel ?? loaded.config.logLevel, destination: options.logDestination }),
    });
    const stateDir = resolveStateDir(loaded.configDir, loaded.config.stateDir);
    const { buildbotURL } = loaded.config;
    const metrics = new ServiceMetrics(logger);
    // Several instances on one Redis (docs/scale-out.md); absent: this process alone, on its ledger.
    const cluster = loaded.config.queue?.type === 'redis' ? Cluster.start(loaded.config.queue, logger) : undefined;
    if (cluster?.secret) secrets.add(cluster.secret);
    // The runtime (and its ledger) starts after the sources: the endpoints find it when asked.
    const running: { runtime?: Runtime } = {};
    const webhooks = new WebhookRoutes((loaded.config.sources ?? []).some((s) => s.type === 'http'));
    const endpoints = [metrics.endpoint, webhooks.endpoint, ...ledgerEndpoints(() => running.runtime?.ledger)];
    const ui = consoleSettings(loaded.config.console);
    if (ui)
      endpoints.push(
        consoleEndpoint({
          ...ui,
          ledger: () => running.runtime?.ledger,
          reporters: () => running.runtime?.reporters.map((r) => r.name) ?? [],
          holds: () => running.runtime?.deliveries.holdsNow() ?? [],
          mask: (text) => maskSecrets(text, secrets),
          logger,
        }),
      );
    const sources = await Promise.all(
      (loaded.config.sources ?? []).map(async (config): Promise<Source> => {
        const source = await createSource(config, {
          configDir: loaded.configDir,
          logger,
          stateDir,
          endpoints,
          ...defined({ buildbotURL, stdin: options.stdin, cluster }),
        });
        // The Redis mode: a source with a lease (the buildbot follower) runs on one instance at a time.
        return cluster && source.lease ? new LeaderSource(source, source.lease, cluster) : source;
      }),
    );
    const master = sources.find((s) => s.master)?.master;
    // A buildbot source completes events itself; otherwise REST at buildbotURL fills what reporters need.
    const enricher = sources.find((s) => s.enricher)?.enricher ?? configuredEnricher(loaded.config);
    const runtime = await Runtime.start({
      ...runtimeOptions(loaded, options),
      interceptors: [metrics.interceptor()],
      secrets,
      logger,
      webhooks,
      ...defined({ master, enricher, cluster }),
    });
    running.runtime = runtime;
    metrics.watchDeliveries(runtime.deliveries);
    metrics.watchSources(sources);
    metrics.watchLedger(
      () => running.runtime?.ledger,
      () => running.runtime?.reporters.map((r) => r.name) ?? [],
    );
    for (const warning of loaded.warnings) logger.warn(warning);
    const service = new Service(runtime, sources, logger, loaded, options, cluster);
    const started: Source[] = [];
    try {
      for (const source of sources) {
        await source.start(metrics.countingSink(source, (input) => runtime.emit(input)));
        started.push(source);
      }
    } catch (error) {
      await Promise.allSettled(started.map((s) => s.close()));
      await runtime.close(0);
      await cluster?.close();
      throw error;
    }
    return service;
  }

  /**
   * Reads the config file again and runs its reporters (Runtime.reload): unchanged ones go on,
   * changed ones are set up anew, removed ones finish what they hold. An invalid config (or a
   * setup() that fails) is refused and logged, and the running reporters go on. A reload asked
   * for while one runs waits for it.
   */
  reload(): Promise<ReloadResult> {
    const next = this.reloading.then(() => this.reloadOnce());
    this.reloading = next;
    return next;
  }

  private async reloadOnce(): Promise<ReloadResult> {
    const file = this.started.file;
    try {
      if (this.stopping) throw new Error('the service is stopping');
      if (!file) throw new Error('the service was not started from a config file');
      this.logger.info({ file }, 'reloading the config');
      const loaded = loadConfig(file, defined({ env: this.options.env }));
      for (const secret of loaded.secrets) this.runtime.secrets.add(secret);
      const plan = await this.runtime.reload(loaded.prepared, {
        handlerTimeout: loaded.config.handlerTimeout ?? DEFAULT_HANDLER_TIMEOUT_MS,
        setupTimeout: loaded.config.setupTimeout ?? DEFAULT_SETUP_TIMEOUT_MS,
      });
      for (const warning of loaded.warnings) this.logger.warn(warning);
      const restartNeeded = restartOnlyChanges(this.started.config, loaded.config);
      if (restartNeeded.length)
        this.logger.warn(
          { restartNeeded },
          `config reloaded, but ${restartNeeded.join(', ')} changed: only a restart applies that (the service runs on with the values it started with)`,
        );
      this.logger.info({ ...plan }, 'config reloaded');
      return { applied: true, restartNeeded, ...plan };
    } catch (error) {
      // Worded as `bbreporters check` words it: code, located details, fix.
      const why = isBbrError(error) ? error.describe() : reasonOf(error);
      this.logger.error(
        defined({ file, code: isBbrError(error) ? error.code : undefined }),
        `reload refused, the running reporters go on unchanged: ${why}`,
      );
      return { applied: false, error };
    }
  }

  /** Resolves when every source is finite (a replay) and done; never when one is a server. */
  finished(): Promise<void> {
    if (!this.sources.length || this.sources.some((s) => !s.done)) return new Promise(() => {});
    return Promise.all(this.sources.map((s) => s.done)).then(() => undefined);
  }

  /** Stops: sources first, then deliveries drained for up to `drainMs`, then the reporters. Returns how many deliveries were still pending. */
  stop(drainMs = DEFAULT_DRAIN_MS): Promise<number> {
    this.stopping ??= (async () => {
      this.logger.info({ drainMs }, 'stopping: closing sources');
      for (const result of await Promise.allSettled(this.sources.map((s) => s.close()))) {
        if (result.status === 'rejected')
          this.logger.error({ err: result.reason }, `a source failed to close: ${reasonOf(result.reason)}`);
      }
      const pending = await this.runtime.close(drainMs);
      await this.cluster?.close();
      this.logger.info({ pending }, 'stopped');
      return pending;
    })();
    return this.stopping;
  }
}
