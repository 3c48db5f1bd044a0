/**
 * Loads and checks a config: YAML with positions, `${NAME}` from the environment, the config
 * schema, each source's own checks, each reporter's plugin manifest and options (without
 * importing plugin code) and module references. Every problem is collected and thrown at once
 * as one BBR_CONFIG_INVALID, each located at file:line:column with its JSON path, what was
 * expected and "did you mean" for near misses. Secret values never appear in the messages.
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { LineCounter, parseDocument } from './yaml.js';
import { BbrError, isBbrError, type ErrorCode, type ErrorDetail } from '../diagnostics/errors.js';
import type { Config, SourceConfig } from '../generated/schemas.js';
import { optionsValidator, readManifest } from '../loader/manifest.js';
import { consoleCoverageWarnings } from './console-coverage.js';
import { eventCoverageWarnings } from './event-coverage.js';
import { pluginProblem, prepareReporters, type PreparedReporter, type ReporterSpec } from '../loader/prepare.js';
import { candidateNames, isPathSpec, pluginNotFound, resolvePlugin, shortName } from '../loader/resolve.js';
import { officialPlugins } from '../loader/official-plugins.js';
import { maskSecrets } from '../diagnostics/mask.js';
import { coreValidator, describeAjvErrors, readSchema, validateCollectingSecrets } from '../contracts/schemas.js';
import { checkSource } from '../sources/factory.js';
import { substituteEnv } from './env.js';
import { installedPlugins } from '../loader/installed-plugins.js';
import { createLocator, type Locator } from './locate.js';
import { checkModuleReferences } from '../kit/module-reference.js';
import { tlsProblems } from '../http/tls.js';
import { splitPath, valueAt, type PathSegment } from '../diagnostics/json-path.js';
import { allowedKeys, discriminatorValues } from './schema-keys.js';
import { closest } from './suggest.js';
import { MAX_ALIAS_COUNT, MAX_CONFIG_BYTES, MAX_REPORTERS } from './limits.js';
import { yamlProblems } from './yaml-errors.js';
import { defined } from '../lang/defined.js';

export interface LoadedConfig {
  /** The validated config, `${NAME}` substituted. */
  config: Config;
  /** Absolute path of the file, when loaded from one. */
  file?: string;
  /** The folder names and relative paths resolve from. */
  configDir: string;
  /** The reporters as the runtime takes them, each with its config path. */
  reporters: ReporterSpec[];
  /** The reporters with their manifests and validated options (nothing imported). */
  prepared: PreparedReporter[];
  /** Every secret value in the config (sources and reporters' options). */
  secrets: Set<string>;
  /** What is valid but can never work (see eventCoverageWarnings): `check` prints them, `run` logs them. */
  warnings: string[];
}

export interface ConfigOptions {
  /** Where `${NAME}` values come from (default: process.env). */
  env?: NodeJS.ProcessEnv;
}

/**
 * A problem before it is located; `keyword`/`params` come from ajv when it found it. `packageCode`:
 * the problem is in a plugin package (its manifest, API version or entry), not in the config.
 */
type Problem = ErrorDetail & { keyword?: string; params?: Record<string, unknown>; packageCode?: ErrorCode };

/** Codes of problems that a plugin's author, not the config's, must fix. */
const packageCodes = new Set<ErrorCode>(['BBR_PLUGIN_MANIFEST', 'BBR_PLUGIN_API_VERSION', 'BBR_PLUGIN_ENTRY']);

/** Reads, parses and checks the YAML config at `file`. */
export function loadConfig(file: string, options: ConfigOptions = {}): LoadedConfig {
  const absolute = resolve(file);
  let text: string;
  try {
    const { size } = statSync(absolute);
    if (size > MAX_CONFIG_BYTES) {
      throw new BbrError(
        'BBR_CONFIG_READ',
        `${file} is ${size} bytes, more than a config file may be (${MAX_CONFIG_BYTES} bytes): is it the right file?`,
      );
    }
    text = readFileSync(absolute, 'utf8');
  } catch (error) {
    if (isBbrError(error)) throw error;
    throw new BbrError('BBR_CONFIG_READ', `cannot read the config file ${file}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const locate = createLocator(doc, lines, file);
  if (doc.errors.length) {
    const details = yamlProblems(doc.errors, text, lines, file);
    throw new BbrError(
      'BBR_CONFIG_READ',
      `${file} is not valid YAML (${details.length} problem${details.length > 1 ? 's' : ''})`,
      { details },
    );
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    // The yaml library refuses aliases that expand without bound (a "billion laughs" file).
    throw new BbrError('BBR_CONFIG_READ', `${file} cannot be read as YAML: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return checkConfig(data, {
    ...options,
    configDir: dirname(absolute),
    file: absolute,
    displayName: file,
    locate,
  });
}

export interface CheckConfigOptions extends ConfigOptions {
  configDir: string;
  file?: string;
  /** How the config is named in messages (default: its file, or "config"). */
  displayName?: string;
  /** Locates paths in the source text; without it problems carry only their path. */
  locate?: Locator;
}

/** Checks config data (parsed YAML, or an object built in code). The data is not modified. */
export function checkConfig(input: unknown, options: CheckConfigOptions): LoadedConfig {
  const count = (input as { reporters?: unknown } | null)?.reporters;
  if (Array.isArray(count) && count.length > MAX_REPORTERS) {
    // Checked before anything walks the entries: each one costs a plugin resolution and a schema.
    throw new BbrError(
      'BBR_CONFIG_INVALID',
      `${options.displayName ?? options.file ?? 'config'}: ${count.length} reporters, more than one config may hold (${MAX_REPORTERS})`,
      { details: [{ path: 'reporters', message: `must not have more than ${MAX_REPORTERS} items` }] },
    );
  }
  const data = structuredClone(input);
  const configDir = resolve(options.configDir);
  const problems: Problem[] = [...substituteEnv(data, options.env ?? process.env)];
  const missingEnv = problems.length;

  const validate = coreValidator('config.schema.json');
  const { valid, secrets } = validateCollectingSecrets(validate, data);
  if (!valid)
    problems.push(
      ...describeAjvErrors(validate.errors).map((d) =>
        explainSchemaProblem(d, readSchema('config.schema.json'), [], data),
      ),
    );
  const config = data as Config;

  const sources: unknown[] = Array.isArray(config?.sources) ? config.sources : [];
  sources.forEach((source, i) => {
    if (isSourceConfig(source) && sourceShapeIsValid(source))
      problems.push(...checkSource(source, `sources[${i}]`, { configDir }));
  });

  const reporters: ReporterSpec[] = [];
  const entries: unknown[] = Array.isArray(config?.reporters) ? config.reporters : [];
  entries.forEach((entry, i) => {
    const e = entry as Partial<ReporterSpec> | null;
    if (typeof e?.plugin !== 'string' || !e.plugin) return;
    reporters.push({
      plugin: e.plugin,
      ...(typeof e.name === 'string' ? { name: e.name } : {}),
      ...defined({ options: e.options }),
      ...(typeof e.handlerTimeout === 'number' ? { handlerTimeout: e.handlerTimeout } : {}),
      ...(e.delivery && typeof e.delivery === 'object' ? { delivery: e.delivery } : {}),
      ...(e.tls && typeof e.tls === 'object' ? { tls: e.tls } : {}),
      path: `reporters[${i}]`,
    });
  });
  // One reporter at a time, so each problem is attributed to its entry; then all together for names.
  const preparedOne: PreparedReporter[] = [];
  for (const spec of reporters) {
    try {
      preparedOne.push(...prepareReporters([spec], configDir));
    } catch (error) {
      if (!isBbrError(error)) throw error;
      problems.push(...reporterProblems(error, spec, configDir, data));
      for (const secret of secretsOfInvalidOptions(spec, configDir)) secrets.add(secret);
    }
  }
  let prepared = preparedOne;
  try {
    prepared = prepareReporters(
      preparedOne.map((r) => r.spec),
      configDir,
    );
  } catch (error) {
    if (!isBbrError(error) || error.code !== 'BBR_REPORTER_NAME') throw error;
    problems.push({ path: duplicatePath(preparedOne), message: error.message });
  }
  for (const r of prepared) for (const s of r.secrets) secrets.add(s);
  for (const spec of reporters)
    problems.push(...checkModuleReferences(spec.options, `${spec.path}.options`, configDir, secrets));
  for (const spec of reporters) problems.push(...tlsProblems(spec, configDir));

  // A value emptied for a missing variable fails its schema too: the missing variable says it all.
  const emptied = new Set(problems.slice(0, missingEnv).map((p) => p.path));
  const reported = problems.filter((p, i) => i < missingEnv || !emptied.has(p.path));
  if (reported.length) throw configError(reported, options, secrets);
  const warnings = [...eventCoverageWarnings(config.sources ?? [], prepared), ...consoleCoverageWarnings(config)];
  return { config, configDir, reporters, prepared, secrets, warnings, ...(options.file ? { file: options.file } : {}) };
}

function isSourceConfig(value: unknown): value is SourceConfig {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
}

/** Only entries that pass their schema branch get the source's own checks (no double reports). */
function sourceShapeIsValid(source: SourceConfig): boolean {
  const branches = readSchema('config.schema.json').$defs as Record<string, unknown>;
  if (!(`${source.type}Source` in branches)) return false;
  return coreValidator(`config.schema.json#/$defs/${source.type}Source`)(source) as boolean;
}

/** Turns prepareReporters' error for one reporter into problems, each with its path inside the config. */
function reporterProblems(error: BbrError, spec: ReporterSpec, configDir: string, data: unknown): Problem[] {
  // A problem of the plugin package is located at the entry's `plugin:` line; its message names the package.
  if (error.code !== 'BBR_PLUGIN_OPTIONS') {
    return [
      {
        path: `${spec.path}.plugin`,
        message: pluginProblem(withSuggestion(error, spec, configDir)),
        ...(packageCodes.has(error.code) ? { packageCode: error.code } : {}),
      },
    ];
  }
  const schema = pluginSchema(spec, configDir);
  return error.details.map((detail: Problem) => {
    const segments = splitPath(detail.path);
    if (!schema || segments[2] !== 'options' || !detail.keyword) return { path: detail.path, message: detail.message };
    return explainSchemaProblem(detail, schema.schema, segments.slice(0, 3), data, schema.filters);
  });
}

/** A plugin that is not installed, with "did you mean" among the installed and official plugins. */
function withSuggestion(error: BbrError, spec: ReporterSpec, configDir: string): BbrError {
  if (error.code !== 'BBR_PLUGIN_NOT_FOUND' || isPathSpec(spec.plugin)) return error;
  const installed = installedPlugins(configDir)
    .filter((p) => p.manifest)
    .map((p) => p.plugin.packageName);
  const known = [...new Set([...installed, ...officialPlugins.map((name) => `@bbreporters/${name}`)])];
  const byName = new Map(
    known.flatMap((packageName) => [
      [shortName(packageName), packageName],
      [packageName, packageName],
    ]),
  );
  const suggestion = closest(spec.plugin, byName.keys());
  const packageName = suggestion && byName.get(suggestion);
  // An official plugin written right but not installed: the plain error already names its install command.
  if (!packageName || packageName === candidateNames(spec.plugin)[0]) return error;
  return pluginNotFound(spec.plugin, configDir, { packageName, installed: installed.includes(packageName) });
}

/** The secret values in options that failed validation, so messages about them mask them too. */
function secretsOfInvalidOptions(spec: ReporterSpec, configDir: string): Set<string> {
  try {
    const plugin = resolvePlugin(spec.plugin, configDir);
    const { validate } = optionsValidator(plugin, readManifest(plugin));
    return validateCollectingSecrets(validate, structuredClone(spec.options ?? {})).secrets;
  } catch {
    return new Set();
  }
}

/** The entry that repeats an earlier reporter's name. */
function duplicatePath(prepared: PreparedReporter[]): string {
  const seen = new Set<string>();
  for (const r of prepared) {
    if (seen.has(r.name)) return `${r.spec.path}${r.spec.name ? '.name' : '.plugin'}`;
    seen.add(r.name);
  }
  return 'reporters';
}

function pluginSchema(
  spec: ReporterSpec,
  configDir: string,
): { schema: Record<string, unknown>; filters: string[] } | undefined {
  try {
    const plugin = resolvePlugin(spec.plugin, configDir);
    const manifest = readManifest(plugin);
    return { schema: optionsValidator(plugin, manifest).schema, filters: manifest.filters ?? [] };
  } catch {
    return undefined;
  }
}

/**
 * Words one schema problem for people: for an unknown key, the nearest allowed key and the list
 * of allowed keys; for a value outside an enum, the nearest allowed value; for an unknown source
 * type, the types there are. `base` is where `schema` applies inside the config.
 */
function explainSchemaProblem(
  problem: Problem,
  schema: Record<string, unknown>,
  base: PathSegment[],
  data: unknown,
  extraKeys: string[] = [],
): Problem {
  const segments = splitPath(problem.path);
  const relative = segments.slice(base.length);
  const parent = relative.slice(0, -1);
  const rootData = valueAt(data, base);
  switch (problem.keyword) {
    case 'additionalProperties': {
      if (problem.message !== 'is not an allowed key') return problem;
      const key = String(segments[segments.length - 1]);
      const allowed = [
        ...new Set([...allowedKeys(schema, parent, rootData), ...(parent.length === 0 ? extraKeys : [])]),
      ];
      const suggestion = closest(key, allowed);
      return {
        ...problem,
        message: `is not an allowed key${suggestion ? `; did you mean "${suggestion}"?` : ''}${allowed.length ? ` (allowed: ${allowed.join(', ')})` : ''}`,
      };
    }
    case 'enum': {
      const value = valueAt(data, segments);
      const suggestion =
        typeof value === 'string'
          ? closest(value, ((problem.params?.allowedValues as unknown[]) ?? []).map(String))
          : undefined;
      return suggestion ? { ...problem, message: `${problem.message}; did you mean "${suggestion}"?` } : problem;
    }
    case 'discriminator': {
      const tag = String(problem.params?.tag ?? 'type');
      const values = discriminatorValues(schema, relative, tag);
      const given = valueAt(data, [...segments, tag]);
      if (typeof given !== 'string' || !values.length) return problem;
      const suggestion = closest(given, values);
      return {
        ...problem,
        path: `${problem.path}.${tag}`,
        message: `must be one of ${values.map((v) => JSON.stringify(v)).join(', ')}${suggestion ? `; did you mean "${suggestion}"?` : ''}`,
      };
    }
    default:
      return problem;
  }
}

function configError(problems: Problem[], options: CheckConfigOptions, secrets: Set<string>): BbrError {
  const name = options.displayName ?? options.file ?? 'config';
  const details: ErrorDetail[] = problems.map(({ path, message, location }) => ({
    path,
    message: maskSecrets(message, secrets),
    ...(location
      ? { location }
      : options.locate
        ? { location: options.locate(path, { key: /not an allowed key/.test(message) }) }
        : {}),
  }));
  details.sort((a, b) => compareLocations(a.location, b.location));
  const inPackages = problems.filter((p) => p.packageCode).length;
  const where = inPackages === details.length ? 'in' : `${inPackages} of them in`;
  const whose = inPackages
    ? ` (${where} ${inPackages > 1 ? 'plugin packages' : 'a plugin package'}, not in this file; each names the package.json and what to do)`
    : '';
  // Only plugin-package problems, all of one kind: that kind's code, so the fix (and `explain`) speak to it.
  const codes = new Set(problems.map((p) => p.packageCode));
  const [only] = codes;
  return new BbrError(
    codes.size === 1 && only ? only : 'BBR_CONFIG_INVALID',
    `${name} has ${details.length} problem${details.length > 1 ? 's' : ''}${whose}`,
    { details },
  );
}

function compareLocations(a = '', b = ''): number {
  const pa = /:(\d+):(\d+)$/.exec(a);
  const pb = /:(\d+):(\d+)$/.exec(b);
  if (!pa || !pb) return 0;
  return Number(pa[1]) - Number(pb[1]) || Number(pa[2]) - Number(pb[2]);
}
