/**
 * Reads a plugin's manifest and validates the user's options against the plugin's schema:
 * all of it before a single line of the plugin's code is imported.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Ajv2020, Options, ValidateFunction } from 'ajv/dist/2020.js';
import { BbrError, type ErrorDetail } from '../diagnostics/errors.js';
import { filterProblems } from '../filters/check.js';
import type { FilterName, Filters, PluginManifest } from '../generated/schemas.js';
import { API_VERSION } from '../plugin-api.js';
import { messageFormatterKeyword } from '../formatter/option-rules.js';
import {
  coreKeywords,
  coreValidator,
  createAjv,
  describeAjvErrors,
  readSchema,
  schemaText,
  validateCollectingSecrets,
} from '../contracts/schemas.js';
import { generatedFileOf, keywordFunctions, loadGenerated } from '../contracts/standalone.js';
import { packageFile } from './package-files.js';
import { describePackage, type ResolvedPlugin } from './resolve.js';

export function readManifest(plugin: ResolvedPlugin): PluginManifest {
  const where = describePackage(plugin);
  const manifest = plugin.packageJson.bbreporter;
  if (manifest === undefined) {
    throw new BbrError(
      'BBR_PLUGIN_MANIFEST',
      `${where} is not a bbreporters plugin: its package.json has no "bbreporter" manifest. ` +
        `Is "${plugin.spec}" the package you meant? If you are its author, add the manifest to that package.json`,
    );
  }
  const validate = coreValidator('plugin-manifest.schema.json');
  if (!validate(manifest)) {
    throw new BbrError(
      'BBR_PLUGIN_MANIFEST',
      `${where} has an invalid "bbreporter" manifest; its author must correct it in that package.json`,
      {
        details: describeAjvErrors(validate.errors, 'bbreporter'),
      },
    );
  }
  const valid = manifest as PluginManifest;
  if (valid.apiVersion !== API_VERSION) {
    throw new BbrError(
      'BBR_PLUGIN_API_VERSION',
      `${where} is written for plugin API version ${valid.apiVersion}, but this core (@bbreporters/core) implements API version ${API_VERSION}. ` +
        `Install a version of ${plugin.packageName} built for API version ${API_VERSION}, or a core that implements ${valid.apiVersion}; ` +
        `its author must set bbreporter.apiVersion to ${API_VERSION} once the plugin follows that API`,
    );
  }
  return valid;
}

/** The keywords of options schemas: core's and the formatter's `x-message-formatter`. */
const optionsKeywords = [...coreKeywords, messageFormatterKeyword];

/**
 * An Ajv for one plugin's options schema (`extra`: the generator's standalone options). Each plugin
 * schema gets its own Ajv with useDefaults, so two plugins' $ids never collide. Core's shared option
 * fragments (message-formatter.schema.json) can be $ref'd by their $id.
 */
export function optionsAjv(extra: Options = {}): Ajv2020 {
  return createAjv({ useDefaults: true, ...extra }, [messageFormatterKeyword]).addSchema(
    readSchema('message-formatter.schema.json'),
  );
}

/** What a plugin's generated options validator comes from: its schema's text and core's fragments it may $ref. */
export function optionsSchemaTexts(optionsSchemaText: string): string[] {
  return [optionsSchemaText, schemaText('message-formatter.schema.json')];
}

const schemaCache = new Map<string, { validate: ValidateFunction; schema: Record<string, unknown> }>();

/** The plugin's compiled options schema (cached per file). */
export function optionsValidator(
  plugin: ResolvedPlugin,
  manifest: PluginManifest,
): { validate: ValidateFunction; schema: Record<string, unknown> } {
  const file = packageFile(plugin, manifest.optionsSchema, 'bbreporter.optionsSchema');
  const cached = schemaCache.get(file);
  if (cached) return cached;
  if (!existsSync(file)) {
    throw new BbrError(
      'BBR_PLUGIN_MANIFEST',
      `${describePackage(plugin)}: bbreporter.optionsSchema "${manifest.optionsSchema}" does not exist (${file}); its author must ship that file or correct the path`,
    );
  }
  let text: string;
  let schema: Record<string, unknown>;
  try {
    text = readFileSync(file, 'utf8');
    schema = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // Not the parser's message: it quotes the file's first bytes, and this may be no schema at all.
    throw new BbrError(
      'BBR_PLUGIN_MANIFEST',
      `${describePackage(plugin)}: bbreporter.optionsSchema ${file} is not a JSON file; its author must point it at the options' JSON Schema`,
    );
  }
  let validate: ValidateFunction;
  try {
    validate =
      loadGenerated(generatedFileOf(file), optionsSchemaTexts(text), keywordFunctions(optionsKeywords))?.options ??
      optionsAjv().compile(schema);
  } catch (error) {
    throw new BbrError(
      'BBR_PLUGIN_MANIFEST',
      `${describePackage(plugin)}: bbreporter.optionsSchema ${file} is not a valid JSON Schema (${String(error)}); its author must correct it`,
      { cause: error },
    );
  }
  const entry = { validate, schema };
  schemaCache.set(file, entry);
  return entry;
}

export interface ValidatedOptions {
  options: Record<string, unknown>;
  filters: Filters;
  secrets: Set<string>;
}

/**
 * Splits the user's options into core's filters (the ones the manifest accepts) and the plugin's
 * own options, and validates both. `path` is where the options sit in the config
 * (`reporters[0].options`). Throws BBR_PLUGIN_OPTIONS with every problem found.
 */
export function validateOptions(
  plugin: ResolvedPlugin,
  manifest: PluginManifest,
  raw: unknown,
  path: string,
): ValidatedOptions {
  const input = structuredClone(raw ?? {}) as Record<string, unknown>;
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new BbrError('BBR_PLUGIN_OPTIONS', `${path} must be an object`, {
      details: [{ path, message: 'must be an object' }],
    });
  }
  const accepted = new Set<FilterName>(manifest.filters ?? []);
  const filters: Record<string, unknown> = {};
  const options: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    if (accepted.has(key as FilterName)) filters[key] = value;
    else options[key] = value;
  }
  const details: Array<ErrorDetail & { instancePath?: string; keyword?: string; params?: Record<string, unknown> }> =
    [];
  const filterCheck = coreValidator('filters.schema.json');
  // Buildbot's own wording of a mode problem replaces the schema's.
  const buildbotChecks = filterProblems(filters, path);
  const modeWorded = buildbotChecks.some((d) => d.path.startsWith(`${path}.mode`));
  if (!filterCheck(filters)) {
    details.push(
      ...describeAjvErrors(filterCheck.errors, path).filter((d) => !(modeWorded && d.path.startsWith(`${path}.mode`))),
    );
  }
  details.push(...buildbotChecks);
  const { validate } = optionsValidator(plugin, manifest);
  const { valid, secrets } = validateCollectingSecrets(validate, options);
  if (!valid) {
    for (const detail of describeAjvErrors(validate.errors, path)) {
      const key = detail.path.slice(path.length + 1);
      if (detail.keyword === 'additionalProperties' && isFilterName(key) && !accepted.has(key)) {
        detail.message = `is one of core's filters, but ${plugin.packageName} does not accept it (it accepts: ${[...accepted].join(', ') || 'none'})`;
      }
      details.push(detail);
    }
  }
  if (details.length) {
    throw new BbrError('BBR_PLUGIN_OPTIONS', `invalid options for ${plugin.packageName} at ${path}`, { details });
  }
  return { options, filters: filters as Filters, secrets };
}

function isFilterName(key: string): key is FilterName {
  return ['mode', 'builders', 'tags', 'schedulers', 'branches'].includes(key);
}
