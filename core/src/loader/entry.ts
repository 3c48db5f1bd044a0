/**
 * Imports a plugin's code (only after its manifest and options were validated) and checks that
 * it default-exports a plugin definition. ESM and CommonJS entries both work.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BbrError } from '../diagnostics/errors.js';
import type { PluginManifest } from '../generated/schemas.js';
import type { PluginDefinition } from '../plugin-api.js';
import { packageFile } from './package-files.js';
import type { ResolvedPlugin } from './resolve.js';

type ExportsField = string | { [condition: string]: ExportsField } | null | undefined;

/** The file `import(packageName)` would load: `exports["."]` (import/default/node/require), then `main`, then index.js. */
export function entryFile(plugin: ResolvedPlugin, manifest: PluginManifest): string {
  if (manifest.entry) return packageFile(plugin, manifest.entry, 'bbreporter.entry');
  const exportsField = plugin.packageJson.exports as ExportsField;
  const fromExports = pickExport(
    typeof exportsField === 'object' && exportsField !== null && '.' in exportsField ? exportsField['.'] : exportsField,
  );
  if (fromExports) return packageFile(plugin, fromExports, 'exports');
  const main = plugin.packageJson.main;
  if (typeof main === 'string') return packageFile(plugin, main, 'main');
  return join(plugin.dir, 'index.js');
}

function pickExport(field: ExportsField): string | undefined {
  if (typeof field === 'string') return field;
  if (!field || typeof field !== 'object') return undefined;
  for (const condition of ['import', 'node', 'default', 'require']) {
    const picked = pickExport(field[condition]);
    if (picked) return picked;
  }
  return undefined;
}

export async function importPlugin(
  plugin: ResolvedPlugin,
  manifest: PluginManifest,
): Promise<PluginDefinition<Record<string, unknown>>> {
  const file = entryFile(plugin, manifest);
  if (!existsSync(file)) {
    throw new BbrError(
      'BBR_PLUGIN_ENTRY',
      `${plugin.packageName}: entry ${file} does not exist (is the plugin built?)`,
    );
  }
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
    throw new BbrError('BBR_PLUGIN_ENTRY', `${plugin.packageName}: importing ${file} failed: ${String(error)}`, {
      cause: error,
    });
  }
  // ESM default export; CommonJS module.exports; CommonJS compiled from ESM (exports.default).
  const candidates = [mod.default, (mod.default as Record<string, unknown> | undefined)?.default, mod];
  const definition = candidates.find((c) => typeof (c as { setup?: unknown } | undefined)?.setup === 'function');
  if (!definition) {
    throw new BbrError(
      'BBR_PLUGIN_ENTRY',
      `${plugin.packageName}: ${file} does not default-export a plugin (an object with setup(options, context))`,
    );
  }
  return definition as PluginDefinition<Record<string, unknown>>;
}
