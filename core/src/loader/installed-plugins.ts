/**
 * The plugin packages installed where core resolves plugins from: the `node_modules` folders up
 * from a folder, then beside core itself. A package is a plugin when its package.json has a
 * `bbreporter` manifest (or says it is one by the `bbreporters-plugin` keyword).
 */
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { reasonOf } from '../diagnostics/errors.js';
import type { PluginManifest } from '../generated/schemas.js';
import { readManifest } from './manifest.js';
import { pluginSearchPath, type ResolvedPlugin } from './resolve.js';

export interface InstalledPlugin {
  plugin: ResolvedPlugin;
  manifest?: PluginManifest;
  /** Why the manifest is not valid. */
  problem?: string;
}

function packageDirs(folder: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const dir = join(folder, entry.name);
    if (entry.name.startsWith('@')) {
      for (const scoped of readdirSync(dir, { withFileTypes: true })) out.push(join(dir, scoped.name));
    } else out.push(dir);
  }
  return out;
}

/** Installed plugins as `resolvePlugin` would find them from `fromDir` (the nearest copy of each name wins). */
export function installedPlugins(fromDir: string): InstalledPlugin[] {
  const found = new Map<string, InstalledPlugin>();
  for (const folder of pluginSearchPath(fromDir)) {
    if (!existsSync(folder)) continue;
    for (const dir of packageDirs(folder)) {
      const file = join(dir, 'package.json');
      if (!existsSync(file)) continue;
      let packageJson: ResolvedPlugin['packageJson'];
      try {
        packageJson = JSON.parse(readFileSync(file, 'utf8')) as ResolvedPlugin['packageJson'];
      } catch {
        continue;
      }
      const keywords = Array.isArray(packageJson.keywords) ? packageJson.keywords : [];
      if (packageJson.bbreporter === undefined && !keywords.includes('bbreporters-plugin')) continue;
      const packageName = packageJson.name ?? dir;
      if (found.has(packageName)) continue;
      const plugin: ResolvedPlugin = { spec: packageName, packageName, dir: realpathSync(dir), packageJson };
      try {
        found.set(packageName, { plugin, manifest: readManifest(plugin) });
      } catch (error) {
        found.set(packageName, { plugin, problem: reasonOf(error) });
      }
    }
  }
  return [...found.values()].sort((a, b) => a.plugin.packageName.localeCompare(b.plugin.packageName));
}
