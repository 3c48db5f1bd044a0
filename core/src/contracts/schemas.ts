/**
 * The contracts: loads schemas/*.json (copied into this package at build) into one Ajv2020
 * instance and turns ajv's errors into located, readable details. Core's validators come from the
 * code generated at build (`standalone.ts`); Ajv itself is loaded only to compile what has none.
 */
import type {
  Ajv2020,
  ErrorObject,
  ValidateFunction,
  AnySchemaObject,
  KeywordDefinition,
  Options,
} from 'ajv/dist/2020.js';
import type * as AjvModule from 'ajv/dist/2020.js';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { ErrorDetail } from '../diagnostics/errors.js';
import { generatedFileOf, keywordFunctions, loadGenerated, nameKeywordFunctions } from './standalone.js';

export const schemaDir = new URL('../../schemas/', import.meta.url);
export const schemaBase = 'https://bbreporters.dev/schemas/';
export const schemaFiles = [
  'buildbot.schema.json',
  'event.schema.json',
  'filters.schema.json',
  'message-formatter.schema.json',
  'plugin-manifest.schema.json',
  'config.schema.json',
] as const;
export type SchemaFile = (typeof schemaFiles)[number];

/** The validators core's code asks for, generated at build (any other `coreValidator` ref is compiled). */
export const coreValidatorRefs = [
  'config.schema.json',
  'config.schema.json#/$defs/httpSource',
  'config.schema.json#/$defs/replaySource',
  'config.schema.json#/$defs/buildbotSource',
  'plugin-manifest.schema.json',
  'filters.schema.json',
  'event.schema.json',
  'event.schema.json#/$defs/buildPayload',
] as const;

/** Core's generated validators, next to its schemas. */
export const coreValidatorsFile = fileURLToPath(new URL(generatedFileOf('core.json'), schemaDir));

const schemaTexts = new Map<string, string>();

/** The text of one of core's schema files (read once). */
export function schemaText(file: string): string {
  let text = schemaTexts.get(file);
  if (text === undefined) {
    text = readFileSync(new URL(file, schemaDir), 'utf8');
    schemaTexts.set(file, text);
  }
  return text;
}

export function readSchema(file: string): AnySchemaObject {
  return JSON.parse(schemaText(file)) as AnySchemaObject;
}

/**
 * Values found under `"x-secret": true` during the current validation. Validation is synchronous,
 * so a module-level collector is safe: `collectSecrets` sets it around one validate call.
 */
let secretSink: Set<string> | undefined;

/** Core's keywords: `tsType` (an annotation for the generated types) and `x-secret`. */
export const coreKeywords: readonly KeywordDefinition[] = [
  { keyword: 'tsType', schemaType: 'string' },
  {
    keyword: 'x-secret',
    schemaType: 'boolean',
    errors: false,
    validate: (isSecret: boolean, data: unknown) => {
      if (isSecret && secretSink && typeof data === 'string' && data.length > 0) secretSink.add(data);
      return true;
    },
  },
];

/** Ajv is CommonJS: required on first use, so a start-up with generated validators never loads it. */
const requireFromHere = createRequire(import.meta.url);

/** An Ajv with core's keywords; `keywords` adds more (the loader adds the formatter's `x-message-formatter`). */
export function createAjv(extra: Options = {}, keywords: readonly KeywordDefinition[] = []): Ajv2020 {
  const { Ajv2020 } = requireFromHere('ajv/dist/2020.js') as typeof AjvModule;
  const addFormats = (requireFromHere('ajv-formats') as { default: (ajv: Ajv2020) => Ajv2020 }).default;
  const ajv = new Ajv2020({ allErrors: true, strict: false, discriminator: true, allowUnionTypes: true, ...extra });
  addFormats(ajv);
  const all = [...coreKeywords, ...keywords];
  if (ajv.opts.code.source) nameKeywordFunctions(ajv, keywordFunctions(all));
  for (const keyword of all) ajv.addKeyword(keyword);
  return ajv;
}

/** Validates `data` and returns the secret values it holds (per the schema's `x-secret`). */
export function validateCollectingSecrets(
  validate: ValidateFunction,
  data: unknown,
): { valid: boolean; secrets: Set<string> } {
  const secrets = new Set<string>();
  secretSink = secrets;
  try {
    return { valid: validate(data) as boolean, secrets };
  } finally {
    secretSink = undefined;
  }
}

/** A new Ajv holding core's schemas (`extra`: the generator's standalone options). */
export function createCoreAjv(extra: Options = {}): Ajv2020 {
  const ajv = createAjv(extra);
  for (const file of schemaFiles) ajv.addSchema(readSchema(file));
  return ajv;
}

let shared: Ajv2020 | undefined;

/** The Ajv instance holding core's schemas; plugin option schemas are compiled in their own. */
export function coreAjv(): Ajv2020 {
  shared ??= createCoreAjv();
  return shared;
}

/** The texts core's generated validators come from (their staleness check). */
export function coreSchemaTexts(): string[] {
  return schemaFiles.map(schemaText);
}

/** Core's generated validators by ref; undefined when there are none (not built, or stale). Loaded on first use. */
let generated: Record<string, ValidateFunction> | undefined;
let generatedLoaded = false;
const compiled = new Map<string, ValidateFunction>();

/** A validator for a core schema or one of its `$defs` (`event.schema.json#/$defs/buildPayload`). */
export function coreValidator(ref: string): ValidateFunction {
  if (!generatedLoaded) {
    generated = loadGenerated(coreValidatorsFile, coreSchemaTexts(), keywordFunctions(coreKeywords));
    generatedLoaded = true;
  }
  let v = generated?.[ref] ?? compiled.get(ref);
  if (!v) {
    v = coreAjv().getSchema(schemaBase + ref);
    if (!v) throw new Error(`unknown schema ${ref}`);
    compiled.set(ref, v);
  }
  return v;
}

/** `/payload/steps/0/name` → `payload.steps[0].name`, prefixed by `base`. */
export function jsonPath(base: string, instancePath: string): string {
  const parts = instancePath
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  let out = base;
  for (const p of parts) out += /^\d+$/.test(p) ? `[${p}]` : out === '' ? p : `.${p}`;
  return out || '(root)';
}

/**
 * Turns ajv errors into one detail per real problem: drops the umbrella errors of
 * oneOf/anyOf/allOf/if when a more specific one exists for the same place, and says what was
 * expected in words (the allowed values, the expected type, the unexpected key).
 */
export function describeAjvErrors(
  errors: ErrorObject[] | null | undefined,
  base = '',
): Array<ErrorDetail & { instancePath: string; keyword: string; params: Record<string, unknown> }> {
  if (!errors) return [];
  const umbrella = new Set(['oneOf', 'anyOf', 'allOf', 'if', 'not']);
  const specific = errors.filter((e) => !umbrella.has(e.keyword));
  const chosen = specific.length ? specific : errors;
  const seen = new Set<string>();
  const out = [];
  for (const e of chosen) {
    const instancePath =
      e.keyword === 'additionalProperties'
        ? `${e.instancePath}/${String((e.params as { additionalProperty: string }).additionalProperty)
            .replace(/~/g, '~0')
            .replace(/\//g, '~1')}`
        : e.keyword === 'required'
          ? `${e.instancePath}/${String((e.params as { missingProperty: string }).missingProperty)}`
          : e.instancePath;
    const message = explain(e);
    const key = `${instancePath}|${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({
      path: jsonPath(base, instancePath),
      message,
      instancePath,
      keyword: e.keyword,
      params: e.params as Record<string, unknown>,
    });
  }
  return mergeTypeAlternatives(out);
}

function explain(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return 'is required';
    case 'additionalProperties':
      return 'is not an allowed key';
    case 'enum':
      return `must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'const':
      return `must be ${JSON.stringify(p.allowedValue)}`;
    case 'type':
      return `must be ${String(p.type).replace(/,/g, ' or ')}`;
    // `dependentSchemas: {a: {properties: {b: {not: {}}}}}` is how a schema says "a and b exclude each other".
    case 'not': {
      const together = /\/dependentSchemas\/([^/]+)\//.exec(e.schemaPath);
      return together
        ? `must not be given together with ${together[1].replace(/~1/g, '/').replace(/~0/g, '~')}`
        : (e.message ?? 'must NOT be valid');
    }
    case 'discriminator':
      return p.error === 'mapping'
        ? `must be one of the known values of "${String(p.tag)}"`
        : `"${String(p.tag)}" must be a string`;
    default:
      return e.message ?? e.keyword;
  }
}

/** oneOf [string enum, array] yields "must be string" and "must be array" for one place: say it once. */
function mergeTypeAlternatives<T extends { instancePath: string; keyword: string; message: string; path: string }>(
  details: T[],
): T[] {
  const byPath = new Map<string, T[]>();
  for (const d of details) byPath.set(d.instancePath, [...(byPath.get(d.instancePath) ?? []), d]);
  const out: T[] = [];
  for (const group of byPath.values()) {
    const types = group.filter((d) => d.keyword === 'type');
    if (types.length > 1) {
      const merged = {
        ...types[0],
        message: `must be ${types.map((t) => t.message.replace(/^must be /, '')).join(' or ')}`,
      };
      out.push(merged, ...group.filter((d) => d.keyword !== 'type'));
    } else out.push(...group);
  }
  return out;
}
