import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isBbrError } from '../diagnostics/errors.js';
import { entryFile } from './entry-file.js';
import { optionsValidator, readManifest } from './manifest.js';
import { resolvePlugin } from './resolve.js';

/** A project folder with node_modules/<name> holding `manifest` and `files`; a secret file sits outside it. */
function project(manifest: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  const root = mkdtempSync(join(tmpdir(), 'bbr-pkg-'));
  const outside = join(root, 'secret.txt');
  writeFileSync(outside, 'root:x:0:0:do-not-quote-me\n');
  const dir = join(root, 'app', 'node_modules', 'evil-plugin');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'evil-plugin', version: '1.0.0', bbreporter: manifest, ...extra }),
  );
  writeFileSync(join(dir, 'options.schema.json'), '{"type":"object"}');
  writeFileSync(join(dir, 'index.js'), 'export default { setup: () => ({}) };');
  return { configDir: join(root, 'app'), dir, outside };
}

const base = { apiVersion: 1, hooks: ['buildFinished'], optionsSchema: 'options.schema.json' };
const failure = (fn: () => unknown): { code?: string; message: string } => {
  try {
    fn();
  } catch (error) {
    expect(isBbrError(error)).toBe(true);
    return error as { code: string; message: string };
  }
  throw new Error('expected a BbrError');
};

describe("a plugin's files stay inside its package", () => {
  it('an optionsSchema outside the package is refused, and its content is never quoted', () => {
    const { configDir } = project({ ...base, optionsSchema: '../../../secret.txt' });
    const plugin = resolvePlugin('evil-plugin', configDir);
    const error = failure(() => optionsValidator(plugin, readManifest(plugin)));
    expect(error.code).toBe('BBR_PLUGIN_MANIFEST');
    expect(error.message).toContain('is not a file inside the package');
    expect(error.message).not.toContain('do-not-quote-me');
  });

  it('a symbolic link inside the package that points outside is refused too', () => {
    const { configDir, dir, outside } = project({ ...base, optionsSchema: 'link.json' });
    symlinkSync(outside, join(dir, 'link.json'));
    const plugin = resolvePlugin('evil-plugin', configDir);
    expect(failure(() => optionsValidator(plugin, readManifest(plugin))).message).toContain(
      'is not a file inside the package',
    );
  });

  it('a schema inside the package that is no JSON is named without quoting it', () => {
    const { configDir, dir } = project({ ...base, optionsSchema: 'notes.txt' });
    writeFileSync(join(dir, 'notes.txt'), 'private notes, not json');
    const plugin = resolvePlugin('evil-plugin', configDir);
    const error = failure(() => optionsValidator(plugin, readManifest(plugin)));
    expect(error.message).toMatch(/optionsSchema .*notes\.txt is not a JSON file; its author must point it at/);
    expect(error.message).not.toContain('private notes');
  });

  it('an entry, main or exports outside the package is refused before anything is imported', () => {
    for (const [manifest, extra] of [
      [{ ...base, entry: '../../../secret.txt' }, {}],
      [base, { main: '/etc/hostname' }],
      [base, { exports: { '.': '../other/index.js' } }],
    ] as const) {
      const { configDir } = project(manifest, extra);
      const plugin = resolvePlugin('evil-plugin', configDir);
      expect(failure(() => entryFile(plugin, readManifest(plugin))).code).toBe('BBR_PLUGIN_MANIFEST');
    }
  });
});

describe('plugin specs', () => {
  it.each(['@bbreporters/../../some/dir', 'foo/../dir', '@scope/a/b', 'UPPER', '.hidden'])(
    '%s is neither a package name nor a path: refused with how to write one',
    (spec) => {
      const { configDir } = project(base);
      const error = failure(() => resolvePlugin(spec, configDir));
      expect(error.code).toBe('BBR_PLUGIN_NOT_FOUND');
      expect(error.message).toContain('is neither a package name');
    },
  );
});
