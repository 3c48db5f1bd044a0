import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importPlugin } from './entry.js';
import { readManifest } from './manifest.js';
import { officialPlugins } from './official-plugins.js';
import { pluginProblem, prepareReporters } from './prepare.js';
import { pluginNotFound, resolvePlugin } from './resolve.js';
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
      `its entry ${join(plugin.dir, 'dist/missing.js')} (from bbreporter.entry) does not exist. Is the plugin built?`,
    );
  });
});

/** A plugin folder `dir/<name>` with `packageJson` and `files` (name → content), as its author left it. */
function pluginFolder(packageJson: Record<string, unknown>, files: Record<string, string> = {}): string {
  const root = mkdtempSync(join(tmpdir(), 'bbr-plugin-'));
  const dir = join(root, 'my-plugin');
  mkdirSync(dir);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'my-plugin', version: '1.0.0', ...packageJson }));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return root;
}

const manifest = { apiVersion: 1, hooks: ['buildFinished'], optionsSchema: 'options.schema.json' };
const schemaFile = { 'options.schema.json': '{"type":"object"}' };

describe('plugin package errors name the package and its package.json, and say what its author must do', () => {
  it('an invalid manifest: each problem inside the bbreporter key', async () => {
    const root = pluginFolder({ bbreporter: { apiVersion: 1 } });
    const error = await failure(() => prepareReporters([{ plugin: './my-plugin' }], root));
    expect(error.code).toBe('BBR_PLUGIN_MANIFEST');
    expect(error.message).toBe(
      `my-plugin (${join(root, 'my-plugin/package.json')}) has an invalid "bbreporter" manifest; its author must correct it in that package.json`,
    );
    expect(error.details.map((d) => `${d.path}: ${d.message}`)).toEqual([
      'bbreporter.hooks: is required',
      'bbreporter.optionsSchema: is required',
    ]);
    expect(pluginProblem(error)).toMatch(
      /^BBR_PLUGIN_MANIFEST: my-plugin \(.*package\.json\) has .*package\.json \(bbreporter\.hooks: is required; bbreporter\.optionsSchema: is required\)$/,
    );
  });

  it('no manifest at all: not a bbreporters plugin, is it the package meant?', async () => {
    const root = pluginFolder({ main: 'index.js' }, { 'index.js': '' });
    const error = await failure(() => prepareReporters([{ plugin: './my-plugin' }], root));
    expect(error.code).toBe('BBR_PLUGIN_MANIFEST');
    expect(error.message).toBe(
      `my-plugin (${join(root, 'my-plugin/package.json')}) is not a bbreporters plugin: its package.json has no "bbreporter" manifest. ` +
        'Is "./my-plugin" the package you meant? If you are its author, add the manifest to that package.json',
    );
  });

  it('another API version: both versions, what the user installs and what the author changes', async () => {
    const root = pluginFolder({ main: 'index.js', bbreporter: { ...manifest, apiVersion: 7 } }, schemaFile);
    const error = await failure(() => prepareReporters([{ plugin: './my-plugin' }], root));
    expect(error.code).toBe('BBR_PLUGIN_API_VERSION');
    expect(error.message).toBe(
      `my-plugin (${join(root, 'my-plugin/package.json')}) is written for plugin API version 7, but this core (@bbreporters/core) implements API version 1. ` +
        'Install a version of my-plugin built for API version 1, or a core that implements 7; ' +
        'its author must set bbreporter.apiVersion to 1 once the plugin follows that API',
    );
  });

  it.each([
    ['main', { main: 'dist/index.js' }, 'dist/index.js'],
    ['exports', { exports: { '.': { import: './dist/index.mjs' } } }, 'dist/index.mjs'],
    ['main (unset: index.js)', {}, 'index.js'],
  ])('an entry from %s that was never built is refused before anything is imported', async (field, fields, file) => {
    const root = pluginFolder({ ...fields, bbreporter: manifest }, schemaFile);
    const error = await failure(() => prepareReporters([{ plugin: './my-plugin' }], root));
    expect(error.code).toBe('BBR_PLUGIN_ENTRY');
    const dir = join(root, 'my-plugin');
    expect(error.message).toBe(
      `my-plugin (${join(dir, 'package.json')}): its entry ${join(dir, file)} (from ${field}) does not exist. Is the plugin built? ` +
        `Build it: npm run build in ${dir}. Its author must point "main" or "exports" (or bbreporter.entry) at the built file`,
    );
  });

  it('an entry that is a folder is no entry; once the file is built, the plugin prepares', async () => {
    const root = pluginFolder({ main: 'dist', bbreporter: manifest }, { ...schemaFile, 'dist/.keep': '' });
    expect((await failure(() => prepareReporters([{ plugin: './my-plugin' }], root))).code).toBe('BBR_PLUGIN_ENTRY');
    writeFileSync(join(root, 'my-plugin/built.js'), 'export default { setup: () => ({}) };');
    const fixed = join(root, 'my-plugin/package.json');
    writeFileSync(fixed, JSON.stringify({ name: 'my-plugin', main: 'built.js', bbreporter: manifest }));
    expect(prepareReporters([{ plugin: './my-plugin' }], root).map((r) => r.name)).toEqual(['my-plugin']);
  });

  it('several broken reporters: each problem at its plugin entry, with its code', async () => {
    const root = pluginFolder({ bbreporter: { apiVersion: 1 } });
    const error = await failure(() =>
      prepareReporters(
        [
          { plugin: './my-plugin', location: 'cfg.yaml:2:13' },
          { plugin: 'consle', location: 'cfg.yaml:3:13' },
        ],
        root,
      ),
    );
    expect(error.details.map((d) => [d.location, d.path, d.message.slice(0, d.message.indexOf(':'))])).toEqual([
      ['cfg.yaml:2:13', 'reporters[0].plugin', 'BBR_PLUGIN_MANIFEST'],
      ['cfg.yaml:3:13', 'reporters[1].plugin', 'BBR_PLUGIN_NOT_FOUND'],
    ]);
  });
});

describe('plugin names', () => {
  it('a corrected name is what the install command names, never the misspelling', () => {
    const notInstalled = pluginNotFound('githb', pluginsDir, { packageName: '@bbreporters/github', installed: false });
    expect(notInstalled.code).toBe('BBR_PLUGIN_NOT_FOUND');
    expect(notInstalled.message).toMatch(
      /^plugin "githb" is not installed; did you mean "github"\? install it with: npm install @bbreporters\/github, and write plugin: github \(looked for "@bbreporters\/githb" and "githb" in /,
    );
    expect(notInstalled.message).not.toContain('npm install @bbreporters/githb');
    const installed = pluginNotFound('githb', pluginsDir, { packageName: '@bbreporters/github', installed: true });
    expect(installed.message).toMatch(
      /did you mean "github"\? @bbreporters\/github is installed: write plugin: github \(/,
    );
  });

  it('the official plugins are the folders of plugins/', () => {
    const folders = readdirSync(join(repoRoot, 'plugins'), { withFileTypes: true }).filter((d) => d.isDirectory());
    expect([...officialPlugins]).toEqual(folders.map((d) => d.name).sort());
  });
});
