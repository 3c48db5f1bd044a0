import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isBbrError } from '../diagnostics/errors.js';
import { checkConfig, loadConfig } from './load.js';
import { MAX_CONFIG_BYTES, MAX_REPORTERS } from './limits.js';

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

describe('config size limits', () => {
  const fileWith = (text: string) => {
    const dir = mkdtempSync(join(tmpdir(), 'bbr-limits-'));
    const file = join(dir, 'config.yaml');
    writeFileSync(file, text);
    return file;
  };
  const codeOf = (fn: () => unknown): string | undefined => {
    try {
      fn();
    } catch (error) {
      return isBbrError(error) ? `${error.code}: ${error.message}` : `not a BbrError: ${String(error)}`;
    }
    return undefined;
  };

  it('a file larger than the limit is refused before it is parsed', () => {
    const file = fileWith(`# ${'x'.repeat(MAX_CONFIG_BYTES)}\nreporters: []\n`);
    expect(codeOf(() => loadConfig(file))).toMatch(/^BBR_CONFIG_READ: .* bytes, more than a config file may be/);
  });

  it('a "billion laughs" file is refused with BBR_CONFIG_READ, not a raw ReferenceError', () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 9; i++)
      levels.push(
        `${'b'.repeat(i)}: &${'b'.repeat(i)} [${Array(9)
          .fill(i === 1 ? '*a' : `*${'b'.repeat(i - 1)}`)
          .join(',')}]`,
      );
    const file = fileWith(`${levels.join('\n')}\nreporters: []\n`);
    expect(codeOf(() => loadConfig(file))).toMatch(/^BBR_CONFIG_READ: .*cannot be read as YAML: .*alias/i);
  });

  it('more reporters than the limit are refused at once, before any is resolved', () => {
    const started = Date.now();
    const reporters = Array.from({ length: MAX_REPORTERS + 1 }, () => ({ plugin: 'no-such-plugin' }));
    expect(codeOf(() => checkConfig({ reporters }, { configDir: tmpdir() }))).toMatch(
      new RegExp(`^BBR_CONFIG_INVALID: config: ${MAX_REPORTERS + 1} reporters, more than one config may hold`),
    );
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
