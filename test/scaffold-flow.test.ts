/**
 * The plugin author's flow, as a user gets it: the scaffolder and core from packed tarballs, a
 * new plugin in a folder outside the repo, its generated types, its build and its own test.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const repo = new URL('..', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'bbr-scaffold-flow-'));
const env = {
  ...process.env,
  npm_config_loglevel: 'error',
  npm_config_audit: 'false',
  npm_config_fund: 'false',
  npm_config_update_notifier: 'false',
};
const run = (cmd: string, args: string[], cwd: string) =>
  execFileSync(cmd, args, { cwd, encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'pipe'] });

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('from nothing to a tested plugin', () => {
  it('scaffolds with flags only, installs packed core, regenerates types, builds and passes its own test', () => {
    const started = performance.now();
    run('npm', ['pack', '--pack-destination', work, '-w', 'core', '-w', 'create-plugin'], repo);
    const tarball = (prefix: string) =>
      join(
        work,
        readdirSync(work).find((f) => f.startsWith(prefix))!,
      );

    const created = run(
      'npm',
      [
        'exec',
        '--yes',
        `--package=${tarball('bbreporters-create-plugin-')}`,
        '--',
        'create-plugin',
        'bbreporters-demo',
        '--hooks',
        'buildFinished,workerMissing',
        '--description',
        'A demo reporter',
        '--yes',
      ],
      work,
    );
    expect(created).toContain('Created bbreporters-demo');
    const scaffolded = performance.now();

    const plugin = join(work, 'bbreporters-demo');
    const committedTypes = readFileSync(join(plugin, 'src/generated/options.ts'), 'utf8');
    run('npm', ['install', '--save-dev', tarball('bbreporters-core-')], plugin);
    run('npm', ['run', 'gen'], plugin);
    // The template's generated types are exactly what `npm run gen` writes.
    expect(readFileSync(join(plugin, 'src/generated/options.ts'), 'utf8')).toBe(committedTypes);
    const tested = run('npm', ['test'], plugin);
    expect(tested).toMatch(/1 passed/);
    const pluginTested = performance.now();

    // The new plugin in a user's config: check (no plugin code run) and preview (nothing sent).
    writeFileSync(
      join(plugin, 'bbreporters.yaml'),
      'reporters:\n  - plugin: .\n    name: demo\n    options: { prefix: "CI: ", token: "${DEMO_TOKEN}", mode: [failing] }\n',
    );
    const withToken = { ...env, DEMO_TOKEN: 'demo-secret-token' };
    const checked = execFileSync('npx', ['bbreporters', 'check', '--config', 'bbreporters.yaml'], {
      cwd: plugin,
      encoding: 'utf8',
      env: withToken,
    });
    expect(checked).toMatch(/demo/);
    const event = join(plugin, 'node_modules/@bbreporters/core/fixtures/httpstatuspush/fail.finished.json');
    const preview = execFileSync(
      'npx',
      ['bbreporters', 'preview', '--config', 'bbreporters.yaml', '--reporter', 'demo', '--event', event],
      { cwd: plugin, encoding: 'utf8', env: withToken },
    );
    expect(preview).toContain('"text": "CI: fail #1: failure"');
    expect(preview).not.toContain('demo-secret-token');
    const done = performance.now();
    console.log(
      `scaffold flow: scaffold ${((scaffolded - started) / 1000).toFixed(1)} s, install + gen + build + plugin test ${((pluginTested - scaffolded) / 1000).toFixed(1)} s, check + preview ${((done - pluginTested) / 1000).toFixed(1)} s; scaffold → passing plugin test ${((pluginTested - started) / 1000).toFixed(1)} s, whole flow ${((done - started) / 1000).toFixed(1)} s`,
    );
  }, 600_000);

  it('the scaffolder refuses a non-empty folder and an invalid name, exit code 1, with the reason', () => {
    const cli = join(repo, 'create-plugin/dist/cli.js');
    const fail = (args: string[]) => {
      try {
        run('node', [cli, ...args], work);
      } catch (error) {
        const e = error as { status: number; stderr: string };
        return { status: e.status, stderr: e.stderr };
      }
      throw new Error('expected the scaffolder to fail');
    };
    run('node', [cli, 'occupied', '--yes'], work);
    expect(fail(['occupied', '--yes'])).toEqual({
      status: 1,
      stderr: expect.stringContaining('occupied is not empty: choose another folder, or pass --force'),
    });
    expect(fail(['Bad Name', '--yes'])).toEqual({
      status: 1,
      stderr: 'create-plugin: invalid package name "Bad Name": must be lower case\n',
    });
  });
});
