/**
 * Module references: code that Buildbot takes as a Python callable (format_fn, reviewCB, lookup,
 * getMessage) is written in the config as `./hooks.mjs#review`: a file relative to the config
 * file's folder and the name of one of its exports. `check` resolves them and checks the file
 * exists without importing it; plugins import them with `importModuleReference`.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BbrError, type ErrorDetail } from '../diagnostics/errors.js';
import { joinPath, type PathSegment } from '../diagnostics/json-path.js';

/** `./file.mjs#name`, `../x/hooks.js#fn`, `/abs/path.cjs#fn`, `hooks.mjs#fn`. */
const shape = /^((?:\.{1,2}\/|\/)[^#\s]+|[^#\s/]+\.(?:mjs|cjs|js))#([A-Za-z_$][A-Za-z0-9_$]*)$/;

export interface ResolvedModuleReference {
  /** As written. */
  ref: string;
  /** Absolute path of the module. */
  file: string;
  /** The export to use. */
  exportName: string;
}

export function isModuleReference(value: unknown): value is string {
  return typeof value === 'string' && shape.test(value);
}

/** Resolves `./hooks.mjs#review` against the config file's folder (nothing is imported). */
export function parseModuleReference(ref: string, configDir: string): ResolvedModuleReference {
  const m = shape.exec(ref);
  if (!m) throw new BbrError('BBR_MODULE_REFERENCE', `"${ref}" is not a module reference: write ./file.mjs#exportName`);
  return { ref, file: isAbsolute(m[1]) ? m[1] : resolve(configDir, m[1]), exportName: m[2] };
}

/** Every module reference inside `options` whose file does not exist, as located problems. Secret values are never references. */
export function checkModuleReferences(
  options: unknown,
  path: string,
  configDir: string,
  secrets: ReadonlySet<string> = new Set(),
): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  const visit = (value: unknown, at: PathSegment[]) => {
    if (isModuleReference(value) && !secrets.has(value)) {
      const { file } = parseModuleReference(value, configDir);
      if (!existsSync(file))
        problems.push({ path: joinPath(at), message: `module reference "${value}": ${file} does not exist` });
    } else if (Array.isArray(value)) value.forEach((v, i) => visit(v, [...at, i]));
    else if (typeof value === 'object' && value !== null)
      for (const [k, v] of Object.entries(value)) visit(v, [...at, k]);
  };
  visit(options, [path]);
  return problems;
}

/** Imports the module and returns the named export, which must be a function. */
export async function importModuleReference<F extends (...args: never[]) => unknown>(
  ref: string,
  configDir: string,
): Promise<F> {
  const { file, exportName } = parseModuleReference(ref, configDir);
  if (!existsSync(file))
    throw new BbrError('BBR_MODULE_REFERENCE', `module reference "${ref}": ${file} does not exist`);
  const module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  const fn = module[exportName];
  if (typeof fn !== 'function') {
    throw new BbrError(
      'BBR_MODULE_REFERENCE',
      `module reference "${ref}": ${file} has no function export "${exportName}" (exports: ${Object.keys(module).join(', ') || 'none'})`,
    );
  }
  return fn as F;
}
