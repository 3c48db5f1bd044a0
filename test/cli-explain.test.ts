/**
 * `bbreporters explain`: every error the CLI prints ends with the command that explains its code,
 * and that command works where no docs folder exists (the built bin, a child process).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { checkConfig, errorCatalogue } from '@bbreporters/core';
import { repoRoot, runCli, tempDir } from './support/bbreporters-cli.js';

describe('bbreporters explain', () => {
  it('follows the pointer an error ends with: check prints "see: bbreporters explain CODE", explain prints its cause, fix and example', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'config.yaml'), 'reporters:\n  - plugin: console\n    options: { stram: stderr }\n');
    const check = await runCli(['check', '--config', join(dir, 'config.yaml')]);
    expect(check.code).toBe(1);
    const lastLine = check.stderr.trimEnd().split('\n').at(-1);
    expect(lastLine).toBe('  see: bbreporters explain BBR_CONFIG_INVALID');
    expect(check.stderr).not.toMatch(/docs\//);

    const explain = await runCli(lastLine!.replace('  see: bbreporters ', '').split(' '));
    expect(explain.code, explain.stderr).toBe(0);
    const entry = errorCatalogue.BBR_CONFIG_INVALID;
    expect(explain.stdout).toContain(`cause: ${entry.cause}`);
    expect(explain.stdout).toContain(`fix:   ${entry.fix}`);
    expect(explain.stdout).toContain('    options: { stream: stderr }');
  });

  it('accepts a code in lower case or without its BBR_ prefix', async () => {
    const result = await runCli(['explain', 'plugin_not_found']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.split('\n')[0]).toBe('BBR_PLUGIN_NOT_FOUND');
  });

  it('exits 2 on an unknown code, suggesting the closest one', async () => {
    const typo = await runCli(['explain', 'BBR_CONFIG_INVALD']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('unknown code "BBR_CONFIG_INVALD"; did you mean BBR_CONFIG_INVALID?');
    const unrelated = await runCli(['explain', 'nothing-like-a-code']);
    expect(unrelated.code).toBe(2);
    expect(unrelated.stderr).not.toContain('did you mean');
  });

  it('without a code, lists every code of the catalogue with its cause on one line', async () => {
    const result = await runCli(['explain']);
    expect(result.code, result.stderr).toBe(0);
    for (const [code, { cause }] of Object.entries(errorCatalogue))
      expect(result.stdout).toMatch(new RegExp(`^${code} +${cause.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
  });

  it('every catalogue entry has a one-line cause, a fix and an example', () => {
    for (const [code, entry] of Object.entries(errorCatalogue)) {
      expect(entry.cause, code).toMatch(/^[^\n]{10,}$/);
      expect(entry.fix.length, code).toBeGreaterThan(10);
      expect(entry.example.trim().length, code).toBeGreaterThan(0);
    }
  });

  it('the right form of an example that is a whole config passes the config check', () => {
    let checked = 0;
    for (const [code, { example }] of Object.entries(errorCatalogue)) {
      const right = example.split(/^# right.*$/m)[1];
      const data = right === undefined ? undefined : (parse(right) as unknown);
      if (typeof data !== 'object' || data === null || !('reporters' in data)) continue;
      expect(
        () => checkConfig(data, { configDir: repoRoot, env: { GITHUB_TOKEN: 'placeholder' } }),
        code,
      ).not.toThrow();
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(3);
  });
});
