/**
 * The `replay` source: a JSON Lines file (or standard input) of envelopes or HttpStatusPush
 * bodies, dispatched one line at a time in file order. A bad line is reported with its line
 * number and skipped; the rest still run.
 */
import { createReadStream, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { BbrError, isBbrError, reasonOf } from '../diagnostics/errors.js';
import type { ReplaySourceConfig } from '../generated/schemas.js';
import type { Logger } from '../diagnostics/logger.js';
import type { SourceContext, SourceType } from './source.js';
import { httpStatusPushEvents } from '../events/envelope.js';
import type { EventSink, Source } from './source.js';

export const replaySourceType: SourceType<ReplaySourceConfig> = {
  check(config, { configDir }) {
    if (config.file === '-' || existsSync(resolve(configDir, config.file))) return [];
    return [{ path: 'file', message: `${resolve(configDir, config.file)} does not exist` }];
  },
  events: httpStatusPushEvents,
  describe: (config) => `replay ${config.file === '-' ? 'standard input' : config.file}`,
  create: (config, context) => new ReplaySource(config, context),
};

export interface ReplayStats {
  /** Lines read, blank ones included. */
  lines: number;
  dispatched: number;
  /** Line numbers skipped as malformed or invalid. */
  skipped: number[];
}

export class ReplaySource implements Source {
  readonly type = 'replay';
  readonly done: Promise<void>;
  readonly stats: ReplayStats = { lines: 0, dispatched: 0, skipped: [] };
  private finish!: () => void;
  private stopped = false;
  private input: NodeJS.ReadableStream | undefined;
  private lines: Interface | undefined;
  private readonly name: string;
  private readonly logger: Logger;

  constructor(
    private readonly config: ReplaySourceConfig,
    private readonly context: SourceContext,
  ) {
    this.done = new Promise((resolve) => (this.finish = resolve));
    this.name = config.file === '-' ? '<stdin>' : resolve(context.configDir, config.file);
    this.logger = context.logger.child({ source: 'replay', file: this.name });
  }

  async start(sink: EventSink): Promise<void> {
    this.input = await this.open();
    void this.replay(this.input, sink).finally(() => this.finish());
  }

  /** Stops after the line being dispatched; also when standard input stays open. */
  async close(): Promise<void> {
    this.stopped = true;
    if (!this.lines) this.finish();
    this.lines?.close();
    if (this.input && this.input !== (this.context.stdin ?? process.stdin) && 'destroy' in this.input)
      (this.input as NodeJS.ReadableStream & { destroy(): void }).destroy();
    await this.done;
  }

  private async open(): Promise<NodeJS.ReadableStream> {
    if (this.config.file === '-') return this.context.stdin ?? process.stdin;
    const stream = createReadStream(this.name);
    await new Promise<void>((resolve, reject) => {
      stream.once('open', () => resolve());
      stream.once('error', (error) =>
        reject(
          new BbrError('BBR_SOURCE_START', `replay source cannot read ${this.name}: ${reasonOf(error)}`, {
            cause: error,
          }),
        ),
      );
    });
    return stream;
  }

  private async replay(input: NodeJS.ReadableStream, sink: EventSink): Promise<void> {
    const lines = createInterface({ input, crlfDelay: Infinity });
    this.lines = lines;
    try {
      for await (const line of lines) {
        if (this.stopped) break;
        const number = ++this.stats.lines;
        if (!line.trim()) continue;
        await this.replayLine(line, number, sink);
      }
    } catch (error) {
      if (!this.stopped)
        this.logger.error({ err: error }, `${this.name}: reading failed after line ${this.stats.lines}`);
    } finally {
      lines.close();
    }
    this.logger.info(
      { lines: this.stats.lines, dispatched: this.stats.dispatched, skipped: this.stats.skipped },
      `${this.name}: replay finished`,
    );
  }

  private async replayLine(line: string, number: number, sink: EventSink): Promise<void> {
    let input: unknown;
    try {
      input = JSON.parse(line);
    } catch (error) {
      this.skip(number, `malformed JSON: ${(error as Error).message}`);
      return;
    }
    try {
      await sink(input);
      this.stats.dispatched++;
    } catch (error) {
      const details = isBbrError(error) ? error.details.map((d) => `${d.path}: ${d.message}`) : [];
      this.skip(
        number,
        `${isBbrError(error) ? error.message : reasonOf(error)}${details.length ? ` (${details.join('; ')})` : ''}`,
      );
    }
  }

  private skip(line: number, reason: string): void {
    this.stats.skipped.push(line);
    this.logger.error({ line }, `${this.name}:${line}: ${reason}; line skipped`);
  }
}
