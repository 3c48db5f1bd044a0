/**
 * A first config without writing one: `bbreporters init` writes a starter file for the installed
 * plugins that passes `check`, and `check`, `run` and `preview` find `bbreporters.yaml` (or `.yml`)
 * in the current folder without `--config`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { httpStatusPushDir, repoRoot, runCli, startService, tempDir } from './support/bbreporters-cli.js';

const okConfig = (title: string) =>
  `title: ${title}\nsources:\n  - type: http\n    listen: 127.0.0.1:0\nreporters:\n  - plugin: console\n`;

describe('bbreporters init', () => {
  it('writes a starter that passes check, then runs without --config from its folder', async () => {
    // A fresh folder: plugins resolve as for any config there (here: the workspace's, beside core).
    const dir = tempDir();
    const init = await runCli(['init'], { cwd: dir });
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toContain('wrote bbreporters.yaml: an http source on 127.0.0.1:8020, reporters: console');
    expect(init.stdout).toMatch(/commented out until you fill in their options: .*github.*mail/);
    expect(init.stdout).toContain('next: bbreporters check, then bbreporters run');
    const file = join(dir, 'bbreporters.yaml');
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('    listen: 127.0.0.1:8020\nreporters:\n  - plugin: console\n');
    // A reporter with required options waits, commented out, with them as placeholders (secrets from the environment).
    expect(text).toContain('  # - plugin: github\n  #   options:\n  #     token: ${GITHUB_TOKEN}  # GitHub token');
    // docs/cli.md shows the file for console and github: each of its lines is written as shown.
    const docs = readFileSync(join(repoRoot, 'docs/cli.md'), 'utf8');
    const shown = /## `init`[\s\S]*?```yaml\n([\s\S]*?)```/.exec(docs)?.[1];
    expect(shown).toBeDefined();
    for (const line of shown!.trim().split('\n')) expect(text.split('\n')).toContain(line);

    const check = await runCli(['check'], { cwd: dir });
    expect(check.code, check.stderr).toBe(0);
    expect(check.stdout).toMatch(/^bbreporters\.yaml: OK\n/);
    expect(check.stdout).toMatch(/console: @bbreporters\/console/);
    expect(check.stdout).not.toMatch(/github:/);

    // Filling in an entry is uncommenting it: the placeholder layout is valid YAML for the plugin.
    const github = text.replace(
      /^ {2}# (- plugin: github\n) {2}# ( {2}options:\n) {2}# ( {4}token: .*\n)/m,
      '  $1  $2  $3',
    );
    expect(github).not.toBe(text);
    writeFileSync(file, github);
    const filled = await runCli(['check'], { cwd: dir, env: { GITHUB_TOKEN: 'gh-token-1' } });
    expect(filled.code, filled.stderr).toBe(0);
    expect(filled.stdout).toMatch(/github: @bbreporters\/github/);

    // Run it as written, on a free port so the test never meets a running quick start.
    writeFileSync(file, text.replace('listen: 127.0.0.1:8020', 'listen: 127.0.0.1:0'));
    const service = await startService(undefined, { cwd: dir });
    try {
      const reply = await fetch(service.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: readFileSync(join(httpStatusPushDir, 'fail.finished.json')),
      });
      expect(reply.status).toBe(200);
      expect(await reply.json()).toMatchObject({ outcomes: [{ reporter: 'console', status: 'accepted' }] });
    } finally {
      expect(await service.stop()).toBe(0);
    }
    expect(service.stdout()).toMatch(/^\[buildFinished\] fail #1 FAILURE/);
  });

  it('refuses to overwrite a file (exit 1) unless --force', async () => {
    const dir = tempDir({ 'bbreporters.yaml': 'mine\n' });
    const refused = await runCli(['init'], { cwd: dir });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('BBR_CONFIG_EXISTS: bbreporters.yaml already exists; init leaves it as it is');
    expect(refused.stderr).toContain('fix: Pass --force to replace it, or --config with another file name.');
    expect(readFileSync(join(dir, 'bbreporters.yaml'), 'utf8')).toBe('mine\n');

    const forced = await runCli(['init', '--force'], { cwd: dir });
    expect(forced.code, forced.stderr).toBe(0);
    expect(readFileSync(join(dir, 'bbreporters.yaml'), 'utf8')).toContain('  - plugin: console\n');
  });

  it('writes --config FILE instead, and says to pass it on', async () => {
    const dir = tempDir();
    const init = await runCli(['init', '--config', 'ci.yml'], { cwd: dir });
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toContain('next: bbreporters check --config ci.yml, then bbreporters run --config ci.yml');
    const check = await runCli(['check', '--config', 'ci.yml'], { cwd: dir });
    expect(check.code, check.stderr).toBe(0);
  });
});

describe('the config file without --config', () => {
  it('is bbreporters.yaml, else bbreporters.yml, in the current folder; --config wins', async () => {
    const both = tempDir({ 'bbreporters.yaml': okConfig('yaml'), 'bbreporters.yml': okConfig('yml') });
    expect((await runCli(['check'], { cwd: both })).stdout).toMatch(/^bbreporters\.yaml: OK/);
    const yml = tempDir({ 'bbreporters.yml': okConfig('yml') });
    expect((await runCli(['check'], { cwd: yml })).stdout).toMatch(/^bbreporters\.yml: OK/);
    const given = await runCli(['check', '--config', 'other.yaml'], { cwd: both });
    expect(given.code).toBe(1);
    expect(given.stderr).toMatch(/BBR_CONFIG_READ: .*other\.yaml/);
  });

  for (const args of [['check'], ['run'], ['preview', '--reporter', 'console', '--event', 'event.json']]) {
    it(`${args[0]}: none found is a usage error naming both names and "bbreporters init"`, async () => {
      const dir = tempDir();
      const result = await runCli(args, { cwd: dir });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(
        `bbreporters ${args[0]}: no config file: found neither bbreporters.yaml nor bbreporters.yml in ${dir}. Give one with --config FILE, or write a starter bbreporters.yaml with "bbreporters init"`,
      );
    });
  }

  it('preview finds it too', async () => {
    const dir = tempDir({ 'bbreporters.yaml': okConfig('preview') });
    const event = join(httpStatusPushDir, 'fail.finished.json');
    const result = await runCli(['preview', '--reporter', 'console', '--event', event], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('reporter console: buildFinished accepted');
  });
});
