import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkConfig } from './load.js';

const consoleDir = new URL('../../../plugins/console/', import.meta.url).pathname;

describe('checkConfig (bbreporters check)', () => {
  it('a config whose reporter names a missing tls.ca file is invalid, located at reporters[0].tls.ca', () => {
    const config = { reporters: [{ plugin: consoleDir, options: {}, tls: { ca: 'missing-ca.pem' } }] };
    expect(() => checkConfig(config, { configDir: mkdtempSync(join(tmpdir(), 'bbr-tls-')) })).toThrow(
      expect.objectContaining({
        code: 'BBR_CONFIG_INVALID',
        details: [expect.objectContaining({ path: 'reporters[0].tls.ca' })],
      }),
    );
  });
});
