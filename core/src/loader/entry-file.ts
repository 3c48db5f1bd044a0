/**
 * Where a plugin's code is, found as `import(packageName)` would find it, and checked without
 * importing it: `check` and start-up refuse a plugin whose entry is missing (not built) or
 * lies outside its package, before any reporter starts.
 */
import { statSync } from 'node:fs';
import { BbrError } from '../diagnostics/errors.js';
import type { PluginManifest } from '../generated/schemas.js';
import { packageFile } from './package-files.js';
import { describePackage, type ResolvedPlugin } from './resolve.js';

type ExportsField = string | { [condition: string]: ExportsField } | null | undefined;

export interface EntryFile {
  /** Absolute path of the file. */
  file: string;
  /** The package.json field that names it, for messages. */
  field: string;
}

/** The file `import(packageName)` would load: `bbreporter.entry`, `exports["."]` (import/node/default/require), `main`, then index.js. */
export function entryFile(plugin: ResolvedPlugin, manifest: PluginManifest): EntryFile {
  if (manifest.entry) return named(plugin, manifest.entry, 'bbreporter.entry');
  const exportsField = plugin.packageJson.exports as ExportsField;
  const fromExports = pickExport(
    typeof exportsField === 'object' && exportsField !== null && '.' in exportsField ? exportsField['.'] : exportsField,
  );
  if (fromExports) return named(plugin, fromExports, 'exports');
  const main = plugin.packageJson.main;
  if (typeof main === 'string') return named(plugin, main, 'main');
  return named(plugin, 'index.js', 'main (unset: index.js)');
}

/** The entry file, after checking that it exists; BBR_PLUGIN_ENTRY with the missing path and the fix otherwise. */
export function existingEntryFile(plugin: ResolvedPlugin, manifest: PluginManifest): string {
  const { file, field } = entryFile(plugin, manifest);
  if (!isFile(file)) {
    throw new BbrError(
      'BBR_PLUGIN_ENTRY',
      `${describePackage(plugin)}: its entry ${file} (from ${field}) does not exist. Is the plugin built? ` +
        `Build it: npm run build in ${plugin.dir}. Its author must point "main" or "exports" (or bbreporter.entry) at the built file`,
    );
  }
  return file;
}

function named(plugin: ResolvedPlugin, file: string, field: string): EntryFile {
  return { file: packageFile(plugin, file, field), field };
}

function isFile(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isFile() ?? false;
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
