import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importPlugin } from './entry.js';
import { readManifest } from './manifest.js';
import { prepareReporters } from './prepare.js';
import { resolvePlugin } from './resolve.js';
import { bbrErrorFrom } from '../testing/errors.js';

const pluginsDir = new URL('../../../test/fixtures/plugins/', import.meta.url).pathname;
const repoRoot = new URL('../../../', import.meta.url).pathname;

const failure = bbrErrorFrom;

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
    expect(
      prepareReporters(
        [
          { plugin: 'console', name: 'a' },
          { plugin: 'console', name: 'b' },
        ],
        pluginsDir,
      ).map((r) => r.name),
    ).toEqual(['a', 'b']);
  });
});

describe('plugin entries', () => {
  it("a plain-JS CommonJS plugin's module.exports is its definition", async () => {
    const plugin = resolvePlugin('./cjs-plugin', pluginsDir);
    const definition = await importPlugin(plugin, readManifest(plugin));
    expect(typeof definition.setup).toBe('function');
  });

  it('an entry that does not exist is BBR_PLUGIN_ENTRY, asking whether the plugin is built', async () => {
    const plugin = resolvePlugin('./marker', pluginsDir);
    const error = await failure(() => importPlugin(plugin, { ...readManifest(plugin), entry: 'dist/missing.js' }));
    expect(error.code).toBe('BBR_PLUGIN_ENTRY');
    expect(error.message).toContain(
      `entry ${join(plugin.dir, 'dist/missing.js')} does not exist (is the plugin built?)`,
    );
  });
});
