import { fileURLToPath } from 'node:url';
import { createHarness, fixtures, type Harness } from '@bbreporters/core/testing';
import { afterEach, expect, it } from 'vitest';

const pluginDir = fileURLToPath(new URL('..', import.meta.url));
let harness: Harness | undefined;

afterEach(async () => {
  await harness?.close();
});

it('{{testName}}', async () => {
  harness = await createHarness({ plugin: pluginDir, options: { prefix: 'CI: ' } });
  const result = await harness.emit({{testFixture}});
  expect(result.outcomes.map((o) => o.status)).toEqual(['accepted']);
  const deliveries = await harness.drain();
  expect(deliveries.map((d) => d.outcome.status)).toEqual(['sent']);
  expect(deliveries[0].delivery.payload).toEqual({ text: {{testExpect}} });
});
