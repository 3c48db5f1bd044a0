import { afterEach, describe, expect, it } from 'vitest';
import type { Enricher } from '../enrichment/enricher.js';
import { Runtime } from './runtime.js';
import { fixture } from '../testing/fixtures.js';

const pluginsDir = new URL('../../../test/fixtures/plugins/', import.meta.url).pathname;
let runtime: Runtime | undefined;
afterEach(async () => {
  await runtime?.close(100);
  runtime = undefined;
});

/** Records what core asks the enricher to fill (pure bookkeeping: the REST enricher has its own e2e tests). */
function recordingEnricher(asked: string[][]): Enricher {
  return { enrich: async (event, needs) => (asked.push([...needs].sort()), event) };
}

const start = (options: Record<string, unknown>, asked: string[][]) =>
  Runtime.start({
    configDir: pluginsDir,
    logDestination: { write: () => {} },
    enricher: recordingEnricher(asked),
    reporters: [{ plugin: './narrowing', options }],
  });

describe("a reporter's needs", () => {
  it("default to the manifest's needs", async () => {
    const asked: string[][] = [];
    runtime = await start({}, asked);
    await runtime.emit(fixture('pass.finished'));
    expect(asked).toEqual([['logs', 'steps']]);
  });

  it('may be narrowed by setup() to what the options use, so core fetches less', async () => {
    const asked: string[][] = [];
    runtime = await start({ needs: ['steps'] }, asked);
    await runtime.emit(fixture('pass.finished'));
    expect(asked).toEqual([['steps']]);
  });

  it('are not fetched at all when narrowed to nothing', async () => {
    const asked: string[][] = [];
    runtime = await start({ needs: [] }, asked);
    await runtime.emit(fixture('pass.finished'));
    expect(asked).toEqual([]);
  });

  it('may not grow beyond the manifest', async () => {
    await expect(start({ needs: ['changes'] }, [])).rejects.toMatchObject({
      code: 'BBR_PLUGIN_HOOKS',
      message: expect.stringContaining('setup() needs "changes" but the manifest\'s needs do not list it'),
    });
  });
});
