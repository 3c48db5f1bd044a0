import { afterEach, describe, expect, it } from 'vitest';
import { Runtime } from './runtime.js';
import { fixture } from '../testing/fixtures.js';
import type { DeliveryOutcome } from '../dispatch/outcomes.js';
import type { QueuedDelivery } from '../plugin-api.js';

const consoleDir = new URL('../../../plugins/console/', import.meta.url).pathname;
let runtime: Runtime | undefined;

afterEach(async () => {
  await runtime?.close(1000);
  runtime = undefined;
});

describe('dry run', () => {
  it('never calls send; each delivery settles as previewed with its target and payload visible to listeners', async () => {
    const written: string[] = [];
    const originalWrite = process.stderr.write.bind(process.stderr);
    runtime = await Runtime.start({
      configDir: consoleDir,
      reporters: [{ plugin: consoleDir, name: 'console', options: { format: 'json', stream: 'stderr' } }],
      dryRun: true,
      logDestination: { write: () => undefined },
    });
    const seen: Array<{ outcome: DeliveryOutcome; delivery: QueuedDelivery }> = [];
    runtime.onDelivery((outcome, delivery) => seen.push({ outcome, delivery }));
    process.stderr.write = ((chunk: string) => (written.push(String(chunk)), true)) as typeof process.stderr.write;
    try {
      await runtime.emit(fixture('fail.finished'));
      await runtime.deliveries.drain(2000);
    } finally {
      process.stderr.write = originalWrite;
    }
    expect(seen).toHaveLength(1);
    expect(seen[0]!.outcome).toMatchObject({ status: 'previewed', attempts: 0, target: 'stderr', reporter: 'console' });
    expect(seen[0]!.delivery.payload).toHaveProperty('line');
    expect(written).toEqual([]);
  });
});
