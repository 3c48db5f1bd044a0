/**
 * The service `bbreporters run` starts: the config's sources feeding its reporters. Stopping
 * closes the sources first (no new events), then drains deliveries within a bound, then closes
 * every reporter.
 */
import type { DestinationStream } from 'pino';
import type { LoadedConfig } from '../config/load.js';
import { configuredEnricher } from '../buildbot-api/create-enricher.js';
import { reasonOf } from '../diagnostics/errors.js';
import { runtimeOptions } from './create-reporters.js';
import { createLogger, maskSecrets, type Logger } from '../diagnostics/logger.js';
import { consoleEndpoint, consoleSettings } from '../console/console.js';
import { DEFAULT_DRAIN_MS, resolveStateDir } from './defaults.js';
import { ledgerEndpoints } from './ledger-api.js';
import { ServiceMetrics } from './metrics.js';
import { Runtime } from './runtime.js';
import { defined } from '../lang/defined.js';
import { createSource } from '../sources/factory.js';
import type { Source } from '../sources/source.js';

export interface ServiceOptions {
  /** Overrides the config's `logLevel` (the command line's `--log-level`). */
  logLevel?: string;
  logDestination?: DestinationStream;
  /** Standard input, for a replay source reading '-'. */
  stdin?: NodeJS.ReadableStream;
}

export class Service {
  private stopping: Promise<number> | undefined;

  private constructor(
    readonly runtime: Runtime,
    readonly sources: readonly Source[],
    readonly logger: Logger,
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
    // The runtime (and its ledger) starts after the sources: the endpoints find it when asked.
    const running: { runtime?: Runtime } = {};
    const endpoints = [metrics.endpoint, ...ledgerEndpoints(() => running.runtime?.ledger)];
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
    const sources = (loaded.config.sources ?? []).map((config) =>
      createSource(config, {
        configDir: loaded.configDir,
        logger,
        stateDir,
        endpoints,
        ...defined({ buildbotURL, stdin: options.stdin }),
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
      ...defined({ master, enricher }),
    });
    running.runtime = runtime;
    metrics.watchDeliveries(runtime.deliveries);
    metrics.watchSources(sources);
    for (const warning of loaded.warnings) logger.warn(warning);
    const service = new Service(runtime, sources, logger);
    const started: Source[] = [];
    try {
      for (const source of sources) {
        await source.start(metrics.countingSink(source, (input) => runtime.emit(input)));
        started.push(source);
      }
    } catch (error) {
      await Promise.allSettled(started.map((s) => s.close()));
      await runtime.close(0);
      throw error;
    }
    return service;
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
      this.logger.info({ pending }, 'stopped');
      return pending;
    })();
    return this.stopping;
  }
}
