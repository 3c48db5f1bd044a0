/**
 * Imports a plugin's code (only after its manifest and options were validated) and checks that
 * it default-exports a plugin definition. ESM and CommonJS entries both work.
 */
import { pathToFileURL } from 'node:url';
import { BbrError } from '../diagnostics/errors.js';
import type { PluginManifest } from '../generated/schemas.js';
import type { PluginDefinition } from '../plugin-api.js';
import { existingEntryFile } from './entry-file.js';
import { describePackage, type ResolvedPlugin } from './resolve.js';

export async function importPlugin(
  plugin: ResolvedPlugin,
  manifest: PluginManifest,
): Promise<PluginDefinition<Record<string, unknown>>> {
  const file = existingEntryFile(plugin, manifest);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
    throw new BbrError('BBR_PLUGIN_ENTRY', `${describePackage(plugin)}: importing ${file} failed: ${String(error)}`, {
      cause: error,
    });
  }
  // ESM default export; CommonJS module.exports; CommonJS compiled from ESM (exports.default).
  const candidates = [mod.default, (mod.default as Record<string, unknown> | undefined)?.default, mod];
  const definition = candidates.find((c) => typeof (c as { setup?: unknown } | undefined)?.setup === 'function');
  if (!definition) {
    throw new BbrError(
      'BBR_PLUGIN_ENTRY',
      `${describePackage(plugin)}: ${file} does not default-export a plugin (an object with setup(options, context))`,
    );
  }
  return definition as PluginDefinition<Record<string, unknown>>;
}
