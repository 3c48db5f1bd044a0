/**
 * `@bbreporters/core/testing`: core with one plugin and its options, fed fixture events, with
 * every handler outcome, delivery and log line recorded. Every reporter's tests use it. Also a
 * recording HTTP server to stand in for a remote service, and a recording logger for unit tests.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { DeliveryConfig, TlsConfig } from '../generated/schemas.js';
import type { ReporterSpec } from '../loader/prepare.js';
import type { MasterControl } from '../buildbot-api/master-control.js';
import type { DeliveryOutcome, DispatchResult, HookOutcome } from '../dispatch/outcomes.js';
import type { QueuedDelivery } from '../plugin-api.js';
import { Runtime } from '../host/runtime.js';
import { defined } from '../lang/defined.js';

export * from './errors.js';
export * from './fixtures.js';
export * from './http-server.js';
export * from './logger.js';

export interface HarnessOptions {
  /** The plugin: a package folder (absolute, or relative to `configDir`), or a package name. */
  plugin: string;
  options?: Record<string, unknown>;
  name?: string;
  /** Where names resolve from and relative option paths mean (default: the current folder). */
  configDir?: string;
  handlerTimeout?: number;
  /** The reporter's delivery settings, e.g. `{ baseDelayMs: 10 }` so retries are quick in tests. */
  delivery?: DeliveryConfig;
  /** The reporter's TLS settings, e.g. `{ ca: pem }` for a test server's self-signed certificate. */
  tls?: TlsConfig;
  buildbotURL?: string;
  title?: string;
  stateDir?: string;
  master?: MasterControl;
  /** More reporters to run beside the plugin under test. */
  others?: ReporterSpec[];
  logLevel?: string;
}

export interface RecordedDelivery {
  delivery: QueuedDelivery;
  outcome: DeliveryOutcome;
}

export class Harness {
  readonly outcomes: HookOutcome[] = [];
  readonly deliveries: RecordedDelivery[] = [];
  private constructor(
    readonly runtime: Runtime,
    /** Every log line core and the plugins wrote (JSON), secrets already masked. */
    readonly logs: string[],
  ) {}

  static async create(options: HarnessOptions): Promise<Harness> {
    const logs: string[] = [];
    const configDir = resolve(options.configDir ?? process.cwd());
    const plugin = /^[./]/.test(options.plugin) ? resolve(configDir, options.plugin) : options.plugin;
    const runtime = await Runtime.start({
      configDir,
      reporters: [
        {
          plugin,
          options: options.options ?? {},
          ...defined({
            name: options.name,
            handlerTimeout: options.handlerTimeout,
            delivery: options.delivery,
            tls: options.tls,
          }),
        },
        ...(options.others ?? []),
      ],
      logLevel: options.logLevel ?? 'debug',
      logDestination: { write: (line: string) => void logs.push(line) },
      ...defined({ buildbotURL: options.buildbotURL, title: options.title, master: options.master }),
      // A fresh state folder per harness: build history never leaks from one test into another.
      stateDir: options.stateDir ?? mkdtempSync(join(tmpdir(), 'bbr-state-')),
    });
    const harness = new Harness(runtime, logs);
    runtime.onDelivery((outcome, delivery) => harness.deliveries.push({ delivery, outcome }));
    return harness;
  }

  /** Dispatches an envelope or an HttpStatusPush body (see `fixtures`). */
  async emit(input: unknown): Promise<DispatchResult> {
    const result = await this.runtime.emit(input);
    this.outcomes.push(...result.outcomes);
    return result;
  }

  /** Waits until every delivery made so far has its outcome. */
  async drain(timeoutMs = 30_000): Promise<RecordedDelivery[]> {
    await this.runtime.deliveries.drain(timeoutMs);
    return this.deliveries;
  }

  /** Payloads of the deliveries that were sent, in order. */
  sentPayloads<P = unknown>(): P[] {
    return this.deliveries.filter((d) => d.outcome.status === 'sent').map((d) => d.delivery.payload as P);
  }

  /** Closes core and the plugin, waiting up to `drainMs` for pending deliveries (0: a test that holds them on purpose). */
  async close(drainMs?: number): Promise<void> {
    await this.runtime.close(drainMs);
  }
}

/** Creates a harness: core + one plugin + options. Remember to `close()` it. */
export function createHarness(options: HarnessOptions): Promise<Harness> {
  return Harness.create(options);
}
