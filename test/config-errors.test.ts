/**
 * Config errors as users see them (`bbreporters check` prints exactly `describe()`): every
 * problem at once, each at file:line:column with its JSON path, what was expected and "did you
 * mean"; secrets never echoed.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkConfig, createReporters, isBbrError, loadConfig, type BbrError } from '@bbreporters/core';

const dir = 'test/fixtures/config';

function errorOf(run: () => unknown): BbrError {
  try {
    run();
  } catch (error) {
    if (isBbrError(error)) return error;
    throw error;
  }
  throw new Error('expected a BbrError');
}

describe('config errors', () => {
  it('reports three mistakes in one file as three located errors, with a suggestion for the misspelling', () => {
    const error = errorOf(() => loadConfig(`${dir}/three-mistakes.yaml`, { env: {} }));
    expect(error.code).toBe('BBR_CONFIG_INVALID');
    expect(error.details).toHaveLength(3);
    expect(error.describe()).toMatchInlineSnapshot(`
      "BBR_CONFIG_INVALID: test/fixtures/config/three-mistakes.yaml has 3 problems
        test/fixtures/config/three-mistakes.yaml:3:11 logLevel: must be one of "fatal", "error", "warn", "info", "debug", "trace", "silent"
        test/fixtures/config/three-mistakes.yaml:10:7 reporters[0].options.stram: is not an allowed key; did you mean "stream"? (allowed: stream, format, builders, tags, schedulers, branches)
        test/fixtures/config/three-mistakes.yaml:14:14 reporters[1].options.count: must be integer
        fix: Correct each listed entry at its file:line:column; "did you mean" names the key or value meant. \`bbreporters check --config FILE\` checks again without running anything.
        see: bbreporters explain BBR_CONFIG_INVALID"
    `);
  });

  it('never echoes a secret, and names the key of a missing environment variable', () => {
    // The token looks like a module reference: a secret is never checked as one, so never quoted.
    const env = { BBR_TEST_PASSWORD: 'pw-hunter2-9d1', BBR_TEST_TOKEN: './tok-hunter2-4be.mjs#x' };
    const error = errorOf(() => loadConfig(`${dir}/secrets.yaml`, { env }));
    const text = error.describe();
    expect(text).not.toContain(env.BBR_TEST_PASSWORD);
    expect(text).not.toContain(env.BBR_TEST_TOKEN);
    expect(text).toMatchInlineSnapshot(`
      "BBR_CONFIG_INVALID: test/fixtures/config/secrets.yaml has 5 problems
        test/fixtures/config/secrets.yaml:3:5 sources[0].user: user and password go together (HTTP Basic): set both or neither
        test/fixtures/config/secrets.yaml:4:13 sources[0].listen: 0.0.0.0 is not a loopback address, so clients must authenticate: set token (bearer) or user and password (HTTP Basic)
        test/fixtures/config/secrets.yaml:6:11 sources[1].type: must be one of "http", "replay", "buildbot"; did you mean "http"?
        test/fixtures/config/secrets.yaml:12:14 reporters[0].options.count: environment variable BBR_TEST_UNSET is not set (referenced as \${BBR_TEST_UNSET})
        test/fixtures/config/secrets.yaml:13:7 reporters[0].options.tokn: is not an allowed key; did you mean "token"? (allowed: marker, count, token)
        fix: Correct each listed entry at its file:line:column; "did you mean" names the key or value meant. \`bbreporters check --config FILE\` checks again without running anything.
        see: bbreporters explain BBR_CONFIG_INVALID"
    `);
  });

  it('reports YAML syntax errors by position without quoting the broken line', () => {
    const error = errorOf(() => loadConfig(`${dir}/syntax-error.yaml`, { env: {} }));
    expect(error.code).toBe('BBR_CONFIG_READ');
    expect(error.describe()).not.toContain('s3cret-in-a-broken-line');
    expect(error.describe()).toMatchInlineSnapshot(`
      "BBR_CONFIG_READ: test/fixtures/config/syntax-error.yaml is not valid YAML (1 problem)
        test/fixtures/config/syntax-error.yaml:5:1 (yaml): Missing closing "quote
        fix: Check the path given to --config (relative paths start at the current folder) and fix the YAML at the position shown.
        see: bbreporters explain BBR_CONFIG_READ"
    `);
  });

  it('resolves module references from the config file and reports the ones that do not exist', () => {
    const error = errorOf(() => loadConfig(`${dir}/references.yaml`, { env: {} }));
    expect(error.details).toHaveLength(1);
    expect(error.details[0]).toMatchObject({
      path: 'reporters[1].options.marker',
      location: `${dir}/references.yaml:9:15`,
    });
    expect(error.details[0].message).toMatch(
      /module reference "\.\/no-such-hooks\.mjs#review": .*no-such-hooks\.mjs does not exist/,
    );
  });

  it('reports a duplicate reporter name and a plugin that is not installed, with the npm install command', () => {
    const error = errorOf(() => loadConfig(`${dir}/duplicates.yaml`, { env: {} }));
    expect(error.details.map((d) => [d.location, d.path])).toEqual([
      [`${dir}/duplicates.yaml:3:13`, 'reporters[1].plugin'],
      [`${dir}/duplicates.yaml:5:13`, 'reporters[2].plugin'],
    ]);
    expect(error.details[0].message).toMatch(/2 reporters are named "console"/);
    expect(error.details[1].message).toMatch(/npm install @bbreporters\/not-installed-anywhere/);
  });

  it('suggests an installed plugin for a misspelled plugin name', () => {
    const error = errorOf(() => loadConfig(`${dir}/plugin-typo.yaml`, { env: {} }));
    expect(error.details).toHaveLength(1);
    expect(error.details[0]).toMatchObject({ location: `${dir}/plugin-typo.yaml:2:13`, path: 'reporters[0].plugin' });
    expect(error.details[0].message).toMatch(
      /^BBR_PLUGIN_NOT_FOUND: plugin "consle" is not installed; did you mean "console"\? @bbreporters\/console is installed: write plugin: console \(/,
    );
  });

  it('corrects a misspelled plugin name in the install command too', () => {
    const error = errorOf(() => checkConfig({ reporters: [{ plugin: 'githb' }] }, { configDir: process.cwd() }));
    expect(error.details[0].message).toContain('did you mean "github"?');
    expect(error.details[0].message).toContain('write plugin: github');
    expect(error.describe()).not.toContain('@bbreporters/githb\n');
    expect(error.describe()).not.toMatch(/npm install @bbreporters\/githb/);
  });

  it('suggests the nearest value of an invalid mode, a string or a list item', () => {
    const error = errorOf(() =>
      checkConfig(
        { reporters: [{ plugin: 'mail', options: { fromaddr: 'a@b.c', mode: 'faling' } }] },
        { configDir: process.cwd() },
      ),
    );
    expect(error.details).toEqual([
      { path: 'reporters[0].options.mode', message: 'mode faling is not a valid mode; did you mean "failing"?' },
    ]);
    const list = errorOf(() =>
      checkConfig(
        { reporters: [{ plugin: 'mail', options: { fromaddr: 'a@b.c', mode: ['failing', 'pasing'] } }] },
        { configDir: process.cwd() },
      ),
    );
    expect(list.details).toEqual([
      { path: 'reporters[0].options.mode[1]', message: 'mode pasing is not a valid mode; did you mean "passing"?' },
    ]);
  });

  it("explains that ${VAR} must be quoted inside a flow collection instead of the parser's words", () => {
    const file = join(mkdtempSync(join(tmpdir(), 'bbr-flow-')), 'cfg.yaml');
    writeFileSync(file, 'reporters:\n  - plugin: console\n    options: {password: ${PW}, stream: stdout}\n');
    const error = errorOf(() => loadConfig(file, { env: { PW: 'pw-not-shown-1' } }));
    expect(error.code).toBe('BBR_CONFIG_READ');
    expect(error.details).toEqual([
      {
        path: '(yaml)',
        location: `${file}:3:25`,
        message:
          '${PW} must be quoted inside a flow collection ({…} or […]): write "${PW}". ' +
          'Unquoted, YAML reads its "{" as the start of a map (Unexpected flow-map-start at node end)',
      },
    ]);
    expect(error.describe()).not.toContain('pw-not-shown-1');
    writeFileSync(file, 'reporters:\n  - plugin: console\n    options: {stream: "${STREAM}"}\n');
    expect(loadConfig(file, { env: { STREAM: 'stderr' } }).prepared[0].options).toMatchObject({ stream: 'stderr' });
  });
  it('checks a config object built in code the same way, by JSON path', () => {
    const error = errorOf(() =>
      checkConfig({ reporters: [{ plugin: 'console', options: { fromat: 'json' } }] }, { configDir: process.cwd() }),
    );
    expect(error.details).toEqual([
      {
        path: 'reporters[0].options.fromat',
        message:
          'is not an allowed key; did you mean "format"? (allowed: stream, format, builders, tags, schedulers, branches)',
      },
    ]);
  });
});

/** A config beside a plugin folder `my-plugin` holding `packageJson` and `files`. */
function configBesidePlugin(packageJson: Record<string, unknown>, files: Record<string, string> = {}): string {
  const root = mkdtempSync(join(tmpdir(), 'bbr-plugin-config-'));
  mkdirSync(join(root, 'my-plugin'));
  writeFileSync(join(root, 'my-plugin/package.json'), JSON.stringify({ name: 'my-plugin', ...packageJson }));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(root, 'my-plugin', name), content);
  writeFileSync(join(root, 'cfg.yaml'), 'logLevel: info\nreporters:\n  - name: mine\n    plugin: ./my-plugin\n');
  return join(root, 'cfg.yaml');
}

describe('plugin package errors in a config', () => {
  const manifest = { apiVersion: 1, hooks: ['buildFinished'], optionsSchema: 'options.schema.json' };

  it("an invalid manifest is located at the reporter's plugin: line and names the package.json to fix", () => {
    const file = configBesidePlugin({ bbreporter: { apiVersion: 1, hooks: [] } });
    const packageJson = join(dirname(file), 'my-plugin/package.json');
    const error = errorOf(() => loadConfig(file, { env: {} }));
    // Only a package problem: its own code, so the fix and `bbreporters explain` speak to the plugin's author.
    expect(error.code).toBe('BBR_PLUGIN_MANIFEST');
    expect(error.fix).toMatch(/^The plugin's author fixes its package.json/);
    expect(error.message).toBe(
      `${file} has 1 problem (in a plugin package, not in this file; each names the package.json and what to do)`,
    );
    expect(error.details).toEqual([
      {
        location: `${file}:4:13`,
        path: 'reporters[0].plugin',
        message:
          `BBR_PLUGIN_MANIFEST: my-plugin (${packageJson}) has an invalid "bbreporter" manifest; its author must correct it in that package.json ` +
          '(bbreporter.optionsSchema: is required; bbreporter.hooks: must NOT have fewer than 1 items)',
      },
    ]);
  });

  it('a plugin that was never built fails check, naming the missing entry, and passes once built', () => {
    const file = configBesidePlugin(
      { main: 'dist/index.js', bbreporter: manifest },
      { 'options.schema.json': '{"type":"object"}' },
    );
    const dir = join(dirname(file), 'my-plugin');
    const error = errorOf(() => loadConfig(file, { env: {} }));
    expect(error.details).toHaveLength(1);
    expect(error.details[0]).toMatchObject({ location: `${file}:4:13`, path: 'reporters[0].plugin' });
    expect(error.details[0].message).toBe(
      `BBR_PLUGIN_ENTRY: my-plugin (${join(dir, 'package.json')}): its entry ${join(dir, 'dist/index.js')} (from main) does not exist. ` +
        `Is the plugin built? Build it: npm run build in ${dir}. Its author must point "main" or "exports" (or bbreporter.entry) at the built file`,
    );
    mkdirSync(join(dir, 'dist'));
    writeFileSync(join(dir, 'dist/index.js'), 'export default { setup: () => ({}) };');
    expect(loadConfig(file, { env: {} }).prepared.map((r) => r.name)).toEqual(['mine']);
  });

  it('another API version, beside a config mistake: both located, the header counts the package problem', () => {
    const file = configBesidePlugin({ main: 'index.js', bbreporter: { ...manifest, apiVersion: 3 } });
    writeFileSync(file, `logLevel: loud\n${readFileSync(file, 'utf8').split('\n').slice(1).join('\n')}`);
    const error = errorOf(() => loadConfig(file, { env: {} }));
    expect(error.message).toBe(
      `${file} has 2 problems (1 of them in a plugin package, not in this file; each names the package.json and what to do)`,
    );
    expect(error.details.map((d) => [d.location, d.path])).toEqual([
      [`${file}:1:11`, 'logLevel'],
      [`${file}:4:13`, 'reporters[0].plugin'],
    ]);
    expect(error.details[1].message).toMatch(
      /^BBR_PLUGIN_API_VERSION: my-plugin \(.*my-plugin\/package\.json\) is written for plugin API version 3, .*its author must set bbreporter\.apiVersion to 1/,
    );
  });
});

describe('createReporters', () => {
  it("runs the reporters of a config object and returns each event's outcomes", async () => {
    const reporters = await createReporters(
      { reporters: [{ plugin: 'console', options: { stream: 'stderr' } }] },
      { configDir: process.cwd(), logDestination: { write: () => {} } },
    );
    const { fixture } = await import('@bbreporters/core/testing');
    const result = await reporters.emit(fixture('fail.finished'));
    expect(result).toMatchObject({
      event: 'buildFinished',
      duplicate: false,
      outcomes: [{ reporter: 'console', hook: 'buildFinished', status: 'accepted' }],
    });
    await expect(reporters.emit({ event: 'buildFinished', payload: {} })).rejects.toMatchObject({
      code: 'BBR_EVENT_INVALID',
    });
    expect(await reporters.close()).toBe(0);
  });
});
