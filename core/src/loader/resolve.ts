/**
 * Finds a plugin package without importing it: by walking `node_modules` up from the config
 * file's folder, then from core's own package (so a global install of core + plugins works).
 * Short names (`mail` → `@bbreporters/mail`), full names and relative paths are accepted.
 */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BbrError } from '../diagnostics/errors.js';

export interface ResolvedPlugin {
  /** As written in the config. */
  spec: string;
  packageName: string;
  /** Real path of the package folder. */
  dir: string;
  packageJson: Record<string, unknown> & { name?: string; version?: string; bbreporter?: unknown };
}

/** An npm package name (its rules for new packages): no `..`, no extra slashes, nothing that leaves node_modules. */
const PACKAGE_NAME = /^(?:@[a-z0-9~-][a-z0-9._~-]*\/)?[a-z0-9~-][a-z0-9._~-]*$/;

/** The package names a spec may mean, in the order they are tried. */
export function candidateNames(spec: string): string[] {
  if (spec.startsWith('@')) return [spec];
  if (spec.includes('/')) return [spec];
  return [`@bbreporters/${spec}`, spec];
}

export function isPathSpec(spec: string): boolean {
  return spec.startsWith('./') || spec.startsWith('../') || isAbsolute(spec) || spec === '.' || spec === '..';
}

/** `@bbreporters/mail` → `mail`; other names stay as they are. */
export function shortName(packageName: string): string {
  return packageName.startsWith('@bbreporters/')
    ? packageName.slice('@bbreporters/'.length)
    : packageName.replace(/^@[^/]+\//, '');
}

/** Core's own package folder (dist/loader/ → package root). */
const coreRoot = fileURLToPath(new URL('../../', import.meta.url));

/** The `node_modules` folders plugins resolve from: up from `fromDir`, then up from core's own package. */
export function pluginSearchPath(fromDir: string): string[] {
  return [...new Set([...nodeModulesChain(fromDir), ...nodeModulesChain(coreRoot)])];
}

/** Every `node_modules` folder from `start` up to the file-system root. */
export function nodeModulesChain(start: string): string[] {
  const out: string[] = [];
  let dir = resolve(start);
  for (;;) {
    if (!dir.endsWith(`${'/'}node_modules`)) out.push(join(dir, 'node_modules'));
    const parent = dirname(dir);
    if (parent === dir) return out;
    dir = parent;
  }
}

/** How messages name a plugin package: its name and its package.json, so its author knows which file to fix. */
export function describePackage(plugin: Pick<ResolvedPlugin, 'packageName' | 'dir'>): string {
  return `${plugin.packageName} (${join(plugin.dir, 'package.json')})`;
}

function readPackage(dir: string): ResolvedPlugin['packageJson'] {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as ResolvedPlugin['packageJson'];
}

export function resolvePlugin(spec: string, configDir: string): ResolvedPlugin {
  if (isPathSpec(spec)) {
    const dir = resolve(configDir, spec);
    if (!existsSync(join(dir, 'package.json'))) {
      throw new BbrError(
        'BBR_PLUGIN_NOT_FOUND',
        `plugin "${spec}": no package.json in ${dir} (relative paths resolve from the config file's folder ${configDir})`,
      );
    }
    const packageJson = readPackage(dir);
    return { spec, packageName: packageJson.name ?? spec, dir: realpathSync(dir), packageJson };
  }
  if (!PACKAGE_NAME.test(spec)) {
    throw new BbrError(
      'BBR_PLUGIN_NOT_FOUND',
      `plugin "${spec}" is neither a package name (name or @scope/name, lower case) nor a path starting with ./ or ../ or /`,
    );
  }
  const names = candidateNames(spec);
  const searched = pluginSearchPath(configDir);
  for (const folder of searched) {
    for (const name of names) {
      const dir = join(folder, name);
      if (existsSync(join(dir, 'package.json'))) {
        return { spec, packageName: name, dir: realpathSync(dir), packageJson: readPackage(dir) };
      }
    }
  }
  throw pluginNotFound(spec, configDir);
}

/** A plugin name near a misspelled one, and whether it is installed already. */
export interface PluginSuggestion {
  packageName: string;
  installed: boolean;
}

/**
 * BBR_PLUGIN_NOT_FOUND for a package name: where core looked, and what to do. With a suggestion
 * (a near installed or official plugin), the fix uses the corrected name, never the misspelling.
 */
export function pluginNotFound(spec: string, configDir: string, suggestion?: PluginSuggestion): BbrError {
  const names = candidateNames(spec);
  const existing = pluginSearchPath(configDir).filter((f) => existsSync(f));
  const looked =
    `looked for ${names.map((n) => `"${n}"`).join(' and ')} in ` +
    `${existing.length ? existing.join(', ') : 'no node_modules folder'} (searched upwards from ${configDir}, then from core at ${coreRoot})`;
  if (!suggestion) {
    return new BbrError(
      'BBR_PLUGIN_NOT_FOUND',
      `plugin "${spec}" is not installed: ${looked}. Install it with: npm install ${names[0]}`,
    );
  }
  const short = shortName(suggestion.packageName);
  const fix = suggestion.installed
    ? `${suggestion.packageName} is installed: write plugin: ${short}`
    : `install it with: npm install ${suggestion.packageName}, and write plugin: ${short}`;
  return new BbrError(
    'BBR_PLUGIN_NOT_FOUND',
    `plugin "${spec}" is not installed; did you mean "${short}"? ${fix} (${looked})`,
  );
}
