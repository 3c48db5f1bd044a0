/**
 * Prepares the configured reporters without importing any plugin code: resolves each package,
 * validates its manifest, checks that its entry file exists, validates the user's options, and
 * settles each reporter's name. Every problem of every reporter is collected and thrown at once.
 */
import { BbrError, isBbrError, type ErrorDetail } from '../diagnostics/errors.js';
import type { DeliveryConfig, Filters, PluginManifest, TlsConfig } from '../generated/schemas.js';
import { existingEntryFile } from './entry-file.js';
import { readManifest, validateOptions } from './manifest.js';
import { resolvePlugin, shortName, type ResolvedPlugin } from './resolve.js';

export interface ReporterSpec {
  /** Short name, full package name or relative path. */
  plugin: string;
  name?: string;
  options?: unknown;
  handlerTimeout?: number;
  /** Retries, backoff, concurrency and timeouts of this reporter's deliveries. */
  delivery?: DeliveryConfig;
  /** TLS for this reporter's HTTPS requests; `ca` is a path relative to the config folder, or PEM text. */
  tls?: TlsConfig;
  /** Where the entry sits in the config, for messages (default `reporters[i]`). */
  path?: string;
  /** file:line:column of the entry, for messages. */
  location?: string;
}

export interface PreparedReporter {
  name: string;
  spec: ReporterSpec;
  plugin: ResolvedPlugin;
  manifest: PluginManifest;
  options: Record<string, unknown>;
  filters: Filters;
  secrets: Set<string>;
}

export function prepareReporters(specs: readonly ReporterSpec[], configDir: string): PreparedReporter[] {
  const prepared: PreparedReporter[] = [];
  const problems: Array<{ error: BbrError; spec: ReporterSpec; path: string }> = [];
  specs.forEach((spec, index) => {
    const path = spec.path ?? `reporters[${index}]`;
    try {
      const plugin = resolvePlugin(spec.plugin, configDir);
      const manifest = readManifest(plugin);
      existingEntryFile(plugin, manifest);
      const validated = validateOptions(plugin, manifest, spec.options, `${path}.options`);
      prepared.push({ name: spec.name ?? shortName(plugin.packageName), spec, plugin, manifest, ...validated });
    } catch (error) {
      if (!isBbrError(error)) throw error;
      problems.push({ error, spec, path });
    }
  });
  const byName = new Map<string, PreparedReporter[]>();
  for (const r of prepared) byName.set(r.name, [...(byName.get(r.name) ?? []), r]);
  for (const [name, group] of byName) {
    if (group.length > 1) {
      problems.push({
        spec: group[1].spec,
        path: group[1].spec.path ?? `reporters[${specs.indexOf(group[1].spec)}]`,
        error: new BbrError(
          'BBR_REPORTER_NAME',
          `${group.length} reporters are named "${name}": when a plugin is used twice, give each entry a unique "name"`,
        ),
      });
    }
  }
  if (problems.length === 1) throw problems[0].error;
  if (problems.length > 1) {
    const details: ErrorDetail[] = problems.flatMap(({ error, spec, path }) =>
      error.code === 'BBR_PLUGIN_OPTIONS'
        ? error.details.map((d) => ({ ...d, ...(spec.location && !d.location ? { location: spec.location } : {}) }))
        : [
            {
              path: `${path}.plugin`,
              message: pluginProblem(error),
              ...(spec.location ? { location: spec.location } : {}),
            },
          ],
    );
    throw new BbrError(problems[0].error.code, `${problems.length} reporters could not be prepared`, { details });
  }
  return prepared;
}

/**
 * One line for a problem of a plugin package (not found, manifest, API version, entry): its code,
 * the message that names the package and its package.json, and the manifest's own problems. Their
 * paths (`bbreporter.hooks`) are inside the package.json, not the config, so they are not details.
 */
export function pluginProblem(error: BbrError): string {
  const inside = error.details.map((d) => `${d.path}: ${d.message}`).join('; ');
  return `${error.code}: ${error.message}${inside ? ` (${inside})` : ''}`;
}
