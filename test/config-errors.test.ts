/**
 * Config errors as users see them (`bbreporters check` prints exactly `describe()`): every
 * problem at once, each at file:line:column with its JSON path, what was expected and "did you
 * mean"; secrets never echoed.
 */
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
      /^BBR_PLUGIN_NOT_FOUND: did you mean "console"\? plugin "consle" is not installed/,
    );
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
