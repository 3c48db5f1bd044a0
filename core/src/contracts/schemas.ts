/**
 * The contracts: loads schemas/*.json (copied into this package at build) into one Ajv2020
 * instance and turns ajv's errors into located, readable details.
 */
import {
  Ajv2020,
  type ErrorObject,
  type ValidateFunction,
  type AnySchemaObject,
  type KeywordDefinition,
  type Options,
} from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { readFileSync } from 'node:fs';
import type { ErrorDetail } from '../diagnostics/errors.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

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

export function readSchema(file: string): AnySchemaObject {
  return JSON.parse(readFileSync(new URL(file, schemaDir), 'utf8')) as AnySchemaObject;
}

/**
 * Values found under `"x-secret": true` during the current validation. Validation is synchronous,
 * so a module-level collector is safe: `collectSecrets` sets it around one validate call.
 */
let secretSink: Set<string> | undefined;

/** An Ajv with core's keywords; `keywords` adds more (the loader adds the formatter's `x-message-formatter`). */
export function createAjv(extra: Options = {}, keywords: readonly KeywordDefinition[] = []): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: true, strict: false, discriminator: true, allowUnionTypes: true, ...extra });
  addFormats(ajv);
  ajv.addKeyword({ keyword: 'tsType', schemaType: 'string' });
  for (const keyword of keywords) ajv.addKeyword(keyword);
  ajv.addKeyword({
    keyword: 'x-secret',
    schemaType: 'boolean',
    errors: false,
    validate: (isSecret: boolean, data: unknown) => {
      if (isSecret && secretSink && typeof data === 'string' && data.length > 0) secretSink.add(data);
      return true;
    },
  });
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

let shared: Ajv2020 | undefined;

/** The Ajv instance holding core's schemas; plugin option schemas are compiled in it too. */
export function coreAjv(): Ajv2020 {
  if (!shared) {
    shared = createAjv();
    for (const file of schemaFiles) shared.addSchema(readSchema(file));
  }
  return shared;
}

const compiled = new Map<string, ValidateFunction>();

/** A validator for a core schema or one of its `$defs` (`event.schema.json#/$defs/buildPayload`). */
export function coreValidator(ref: string): ValidateFunction {
  let v = compiled.get(ref);
  if (!v) {
    const ajv = coreAjv();
    v = ajv.getSchema(schemaBase + ref);
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
