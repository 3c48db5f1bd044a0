import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkConfig } from '../config/load.js';
import { fixture } from '../testing/fixtures.js';
import { startReporters, type Reporters } from './create-reporters.js';

const consoleDir = new URL('../../../plugins/console/', import.meta.url).pathname;
let reporters: Reporters | undefined;
afterEach(async () => {
  await reporters?.close(0);
  reporters = undefined;
});

describe('start-up does each thing once', () => {
  it('the runtime starts the reporters the config check prepared, and does not prepare them again', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'bbr-once-'));
    const loaded = checkConfig(
      { stateDir, reporters: [{ plugin: consoleDir, options: { format: 'json', stream: 'stderr' } }] },
      { configDir: process.cwd() },
    );
    // Were the entry prepared a second time, these options would fail the console plugin's schema.
    loaded.prepared[0].spec.options = { format: 'no such format' };
    reporters = await startReporters(loaded, { logDestination: { write: () => {} } });
    const result = await reporters.emit(fixture('fail.finished'));
    expect(result.outcomes.map((o) => `${o.reporter}:${o.status}`)).toEqual(['console:accepted']);
    expect(reporters.runtime.config.stateDir).toBe(stateDir);
  });
});
