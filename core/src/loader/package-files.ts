/**
 * A plugin's own files: what its manifest and package.json name (optionsSchema, entry, main,
 * exports) must lie inside its package folder, also after following symbolic links. A manifest
 * cannot make core read or import any other file of the machine.
 */
import { existsSync, realpathSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { BbrError } from '../diagnostics/errors.js';
import { describePackage, type ResolvedPlugin } from './resolve.js';

/** The absolute path of `file` (as the manifest wrote it) inside the package; BBR_PLUGIN_MANIFEST when it leaves the package. */
export function packageFile(plugin: ResolvedPlugin, file: string, field: string): string {
  const path = resolve(plugin.dir, file);
  const real = existsSync(path) ? realpathSync(path) : path;
  if (isAbsolute(file) || !isInside(plugin.dir, path) || !isInside(plugin.dir, real)) {
    throw new BbrError(
      'BBR_PLUGIN_MANIFEST',
      `${describePackage(plugin)}: ${field} "${file}" is not a file inside the package (${plugin.dir}); its author must name a file inside the package`,
    );
  }
  return path;
}

function isInside(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel);
}
