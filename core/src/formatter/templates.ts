/**
 * Template sources and their compilation: the built-in defaults (ports of Buildbot's default
 * messages, in ./templates), inline strings and files in `template_dir`. Every template has a
 * human name, so an error can say which template of which reporter failed.
 */
import type Ejs from 'ejs';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { reasonOf } from '../diagnostics/errors.js';
import type { TemplateType } from '../generated/schemas.js';

export const defaultTemplatesDir = fileURLToPath(new URL('./templates/', import.meta.url));

export interface TemplateSource {
  /** e.g. `inline template`, `/etc/bb/templates/mail.ejs`, `default body (html)`. */
  name: string;
  text: string;
  /** Set for files: lets `include` resolve beside it. */
  filename?: string;
}

export type CompiledTemplate = (context: Record<string, unknown>) => string;

export function inlineSource(name: string, text: string): TemplateSource {
  return { name, text };
}

/** A file template; like Jinja, one final newline is dropped. Throws with the path when unreadable. */
export function fileSource(path: string, label = path): TemplateSource {
  return { name: label, text: readFileSync(path, 'utf8').replace(/\r?\n$/, ''), filename: path };
}

export function defaultSource(file: string, name: string): TemplateSource {
  return fileSource(`${defaultTemplatesDir}${file}`, name);
}

/** ejs is required by the first template compiled: `check` of reporters without templates never loads it. */
let ejs: typeof Ejs | undefined;
const ejsNow = () => (ejs ??= createRequire(import.meta.url)('ejs') as typeof Ejs);

const keepAsIs = (value: unknown): string => (value === undefined || value === null ? '' : String(value));

/** html templates escape `<%= %>` output (event data); plain templates insert it as is. Throws ejs's error. */
export function compileTemplate(source: TemplateSource, type: TemplateType): CompiledTemplate {
  return ejsNow().compile(source.text, {
    ...(source.filename ? { filename: source.filename } : {}),
    ...(type === 'plain' ? { escape: keepAsIs } : {}),
    compileDebug: true,
  }) as CompiledTemplate;
}

/** ejs puts `file:line`, a source excerpt and the error in one message: keep the error and the line. */
export function describeTemplateError(error: unknown): string {
  const m = error instanceof Error ? /^[^\n]*:(\d+)\n[\s\S]*?\n\n([\s\S]*)$/.exec(error.message) : null;
  return m ? `${(error as Error).name}: ${m[2]} (line ${m[1]})` : reasonOf(error);
}
