/**
 * Validators generated at build time (Ajv standalone code, `scripts/gen-validators.mjs`), so start-up
 * compiles no schema: Ajv's compiler is the largest part of a start-up. A generated file is used only
 * when it was generated from the very schema text read now; otherwise (a third-party plugin without
 * one, a schema edited since the build) the caller compiles the schema at run time, as before.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { _ as CodeTemplate } from 'ajv';
import type { Ajv2020, KeywordDefinition, Options, ValidateFunction } from 'ajv/dist/2020.js';

/** CommonJS, so it loads synchronously; its `ajv/...` requires resolve from core, not from the plugin. */
const requireFromCore = createRequire(import.meta.url);

/** What a generated `.validate.cjs` file exports. */
interface GeneratedModule {
  sourceHash: string;
  create(require: NodeJS.Require, keywords: KeywordFunctions): Record<string, ValidateFunction>;
}

/** The run-time functions of custom keywords, by keyword: generated code calls them as `keywords[NAME]`. */
export type KeywordFunctions = Record<string, unknown>;

export function keywordFunctions(keywords: readonly KeywordDefinition[]): KeywordFunctions {
  return Object.fromEntries(
    keywords.flatMap((k) => ('validate' in k && k.validate ? [[String(k.keyword), k.validate]] : [])),
  );
}

/** Where the generated validators of a schema file sit: `options.schema.json` → `options.schema.validate.cjs`. */
export function generatedFileOf(schemaFile: string): string {
  return `${schemaFile.replace(/\.json$/, '')}.validate.cjs`;
}

/** Identifies the inputs of a generated file: the schema texts and the Ajv that generated it. */
export function sourceHash(schemaTexts: readonly string[]): string {
  const { version } = requireFromCore('ajv/package.json') as { version: string };
  const hash = createHash('sha256').update(`ajv ${version}`);
  for (const text of schemaTexts) hash.update('\0').update(text);
  return hash.digest('hex');
}

/** The validators in `file` by name, or undefined when there is none or it was generated from other texts. */
export function loadGenerated(
  file: string,
  schemaTexts: readonly string[],
  keywords: KeywordFunctions,
): Record<string, ValidateFunction> | undefined {
  if (!existsSync(file)) return undefined;
  const generated = requireFromCore(file) as GeneratedModule;
  if (generated.sourceHash !== sourceHash(schemaTexts)) return undefined;
  return generated.create(requireFromCore, keywords);
}

/**
 * The text of a generated file: the validators of `ajv`'s schemas `refs` (name → schema id or key);
 * `ajv` was created with `standaloneOptions` and the same keywords and schemas as at run time.
 */
export function generatedModule(ajv: Ajv2020, refs: Record<string, string>, schemaTexts: readonly string[]): string {
  const standalone = (
    requireFromCore('ajv/dist/standalone/index.js') as {
      default: (ajv: Ajv2020, refs: Record<string, string>) => string;
    }
  ).default;
  const code = standalone(ajv, refs);
  return [
    '// DO NOT EDIT: generated at build time by scripts/gen-validators.mjs (Ajv standalone code).',
    `exports.sourceHash = ${JSON.stringify(sourceHash(schemaTexts))};`,
    // The generated code assigns `exports.NAME` and calls `require`: give it its own, and core's `require`.
    // It calls keyword functions with the Ajv instance as `this` (`self`): there is none, and core's keywords do not use it.
    `exports.create = function (require, keywords) {\nconst exports = {};\nconst self = undefined;\n${code}\nreturn exports;\n};`,
    '',
  ].join('\n');
}

/** Ajv's tagged template for generated code (Ajv is loaded only when code is generated). */
const codeTemplate = () => (requireFromCore('ajv') as { _: typeof CodeTemplate })._;

/**
 * Ajv options for generating code: keyword functions are referenced as `keywords[NAME]` and formats
 * as ajv-formats', both supplied when the file is loaded.
 */
export function standaloneOptions(): Options {
  const _ = codeTemplate();
  return { code: { source: true, formats: _`require("ajv-formats/dist/formats").fullFormats` } };
}

/** Makes `ajv`'s generated code name each keyword function by its keyword (call before compiling). */
export function nameKeywordFunctions(ajv: Ajv2020, keywords: KeywordFunctions): void {
  const _ = codeTemplate();
  for (const [name, validate] of Object.entries(keywords)) {
    ajv.scope.value('keyword', { ref: validate, code: _`keywords[${name}]` });
  }
}
