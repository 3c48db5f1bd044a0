/**
 * @bbreporters/console: prints one readable line per event. The reference plugin: small enough
 * to read in one go, and it uses every part of the plugin API a real reporter uses (options from
 * its schema, core's filters, deliveries and send).
 */
import { definePlugin, type BbEvent } from '@bbreporters/core';
import type { ConsoleOptions } from './generated/options.js';
import { lineFor, render } from './line.js';

export type { ConsoleOptions } from './generated/options.js';

export default definePlugin<ConsoleOptions>({
  setup(options, ctx) {
    const stream = options.stream === 'stderr' ? process.stderr : process.stdout;
    const report = (event: BbEvent) => {
      // Every line must be printed, in order: queue behind earlier lines instead of superseding them.
      ctx.deliver({
        target: options.stream ?? 'stdout',
        payload: { line: render(lineFor(event), options.format ?? 'text') },
        supersede: false,
      });
    };
    return {
      buildStarted: report,
      buildFinished: report,
      buildsetFinished: report,
      workerMissing: report,
      send: ({ payload }) =>
        new Promise<void>((resolve, reject) => {
          stream.write(`${(payload as { line: string }).line}\n`, (error) => (error ? reject(error) : resolve()));
        }),
    };
  },
});
