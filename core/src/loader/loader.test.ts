import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BbrError } from '../diagnostics/errors.js';
import { Runtime } from '../host/runtime.js';
import { fixture } from '../testing/fixtures.js';
import { prepareReporters } from './prepare.js';
import { resolvePlugin } from './resolve.js';

const pluginsDir = new URL('../../../test/fixtures/plugins/', import.meta.url).pathname;
const repoRoot = new URL('../../../', import.meta.url).pathname;
const quiet = { write: () => {} };
let marker: string;
let runtime: Runtime | undefined;

beforeEach(() => {
  marker = join(mkdtempSync(join(tmpdir(), 'bbr-marker-')), 'imported');
  process.env.MARKER_FILE = marker;
});
afterEach(async () => {
  await runtime?.close(100);
  runtime = undefined;
  delete process.env.MARKER_FILE;
  rmSync(join(marker, '..'), { recursive: true, force: true });
});

const failure = async (fn: () => unknown): Promise<BbrError> => {
  try {
    await fn();
  } catch (error) {
    expect(error).toBeInstanceOf(BbrError);
    return error as BbrError;
  }
  throw new Error('expected a BbrError');
};

describe('the loader validates before it imports', () => {
  it('an invalid manifest stops loading before the plugin code is imported', async () => {
    const error = await failure(() => Runtime.start({ configDir: pluginsDir, logDestination: quiet, reporters: [{ plugin: './marker-bad-manifest', options: { marker: 'x' } }] }));
    expect(error.code).toBe('BBR_PLUGIN_MANIFEST');
    expect(error.details.map((d) => d.path)).toEqual(['bbreporter.hooks[0]']);
    expect(existsSync(marker)).toBe(false);
  });

  it('invalid options stop loading before the plugin code is imported, naming each problem', async () => {
    const error = await failure(() =>
      Runtime.start({ configDir: pluginsDir, logDestination: quiet, reporters: [{ plugin: './marker', options: { count: 'three', colour: 'red' } }] }),
    );
    expect(error.code).toBe('BBR_PLUGIN_OPTIONS');
    expect(error.details.map((d) => `${d.path} ${d.message}`).sort()).toEqual([
      'reporters[0].options.colour is not an allowed key',
      'reporters[0].options.count must be integer',
      'reporters[0].options.marker is required',
    ]);
    expect(existsSync(marker)).toBe(false);
  });

  it('valid manifest and options: the plugin is imported and set up', async () => {
    runtime = await Runtime.start({ configDir: pluginsDir, logDestination: quiet, reporters: [{ plugin: './marker', options: { marker: 'x' } }] });
    expect(existsSync(marker)).toBe(true);
    expect(runtime.reporters.map((r) => r.name)).toEqual(['marker-plugin']);
  });

  it('an apiVersion mismatch names both versions', async () => {
    const error = await failure(() => prepareReporters([{ plugin: './future-api', options: { marker: 'x' } }], pluginsDir));
    expect(error.code).toBe('BBR_PLUGIN_API_VERSION');
    expect(error.message).toMatch(/written for plugin API version 2, but this core .* implements API version 1/);
  });

  it('a filter the manifest does not accept is refused by name', async () => {
    const error = await failure(() => prepareReporters([{ plugin: './marker', options: { marker: 'x', mode: 'failing' } }], pluginsDir));
    expect(error.details[0].message).toMatch(/one of core's filters, but marker-plugin does not accept it/);
  });

  it('secret option values are collected for masking and never logged', async () => {
    const logs: string[] = [];
    runtime = await Runtime.start({
      configDir: pluginsDir,
      logDestination: { write: (l: string) => void logs.push(l) },
      reporters: [{ plugin: './marker', options: { marker: 'x', token: 's3cr3t-t0ken' } }],
    });
    expect(runtime.secrets.has('s3cr3t-t0ken')).toBe(true);
    expect(logs.join('')).toContain('marker plugin set up with token ********');
    expect(logs.join('')).not.toContain('s3cr3t-t0ken');
  });
});

describe('plugin resolution', () => {
  it('a missing plugin names the package, the folders searched and the npm install command', async () => {
    const error = await failure(() => prepareReporters([{ plugin: 'no-such-reporter' }], pluginsDir));
    expect(error.code).toBe('BBR_PLUGIN_NOT_FOUND');
    expect(error.message).toContain('"@bbreporters/no-such-reporter"');
    expect(error.message).toContain(join(repoRoot, 'node_modules'));
    expect(error.message).toContain('npm install @bbreporters/no-such-reporter');
  });

  it('a short name resolves to @bbreporters/<name> by walking node_modules up from the config folder', () => {
    const resolved = resolvePlugin('console', pluginsDir);
    expect(resolved.packageName).toBe('@bbreporters/console');
    expect(resolved.dir).toBe(join(repoRoot, 'plugins/console'));
  });

  it('a full package name resolves too', () => {
    expect(resolvePlugin('@bbreporters/console', pluginsDir).packageName).toBe('@bbreporters/console');
  });

  it('a relative path resolves from the config folder', () => {
    expect(resolvePlugin('./cjs-plugin', pluginsDir).dir).toBe(join(pluginsDir, 'cjs-plugin'));
    expect(() => resolvePlugin('./nowhere', pluginsDir)).toThrow(/no package.json in .*nowhere/);
  });

  it('two reporters with the same name are refused; distinct names are fine', async () => {
    const error = await failure(() => prepareReporters([{ plugin: 'console' }, { plugin: 'console' }], pluginsDir));
    expect(error.code).toBe('BBR_REPORTER_NAME');
    expect(prepareReporters([{ plugin: 'console', name: 'a' }, { plugin: 'console', name: 'b' }], pluginsDir).map((r) => r.name)).toEqual(['a', 'b']);
  });
});

describe('plugin entries', () => {
  it('a plain-JS CommonJS plugin loads and delivers', async () => {
    runtime = await Runtime.start({ configDir: pluginsDir, logDestination: quiet, reporters: [{ plugin: './cjs-plugin' }] });
    const sent: unknown[] = [];
    runtime.onDelivery((o, d) => sent.push([o.status, d.payload, o.response]));
    await runtime.emit(fixture('pass.finished'));
    await runtime.deliveries.drain();
    expect(sent).toEqual([['sent', { prefix: 'cjs', builder: 'pass' }, 'ok']]);
  });

  it('handlers that do not match the manifest hooks are refused, naming each mismatch', async () => {
    const error = await failure(() => Runtime.start({ configDir: pluginsDir, logDestination: quiet, reporters: [{ plugin: './wrong-hooks' }] }));
    expect(error.code).toBe('BBR_PLUGIN_HOOKS');
    expect(error.message).toContain('manifest declares "workerMissing" but setup() returned no workerMissing function');
    expect(error.message).toContain('setup() returned "buildStarted" but the manifest\'s hooks do not list it');
  });
});
