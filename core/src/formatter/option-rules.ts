/**
 * Buildbot's MessageFormatter argument rules, in its words. Setup enforces them; the
 * `x-message-formatter` schema keyword reports them (and inline templates that do not compile)
 * during config validation, so `bbreporters check` shows them without starting anything.
 */
import type { FuncKeywordDefinition } from 'ajv/dist/2020.js';
import type { TemplateType } from '../generated/schemas.js';
import { compileTemplate, inlineSource } from './templates.js';

export interface OptionProblem {
  /** The option the problem is about. */
  key: string;
  message: string;
}

/** Conflicting or malformed formatter options (not file existence: that needs the config folder). */
export function formatterOptionConflicts(options: Record<string, unknown>): OptionProblem[] {
  const problems: OptionProblem[] = [];
  const filename = options.template_filename ?? options.template_name;
  if (options.template !== undefined && (options.template_dir !== undefined || filename !== undefined)) {
    problems.push({ key: 'template', message: 'Only one of template or template path can be given' });
  }
  if (options.subject !== undefined && options.subject_filename !== undefined) {
    problems.push({ key: 'subject', message: 'Only one of subject or subject_filename can be given' });
  }
  if (typeof options.subject === 'string' && options.subject.includes('\n')) {
    problems.push({ key: 'subject', message: 'Newlines are not allowed in message subjects' });
  }
  return problems;
}

/** Inline templates that ejs cannot compile. */
function inlineTemplateProblems(options: Record<string, unknown>): OptionProblem[] {
  const type: TemplateType = options.template_type === 'html' ? 'html' : 'plain';
  const problems: OptionProblem[] = [];
  for (const key of ['template', 'subject'] as const) {
    const text = options[key];
    if (typeof text !== 'string') continue;
    try {
      compileTemplate(inlineSource(key, text), key === 'subject' ? 'plain' : type);
    } catch (error) {
      // ejs appends advice about EJS-Lint and async: keep the first line.
      problems.push({ key, message: `does not compile: ${String((error as Error).message ?? error).split('\n')[0]}` });
    }
  }
  return problems;
}

type KeywordValidate = ((
  schema: boolean,
  data: unknown,
  parent: unknown,
  dataCxt?: { instancePath: string },
) => boolean) & { errors?: unknown[] };

const validate: KeywordValidate = (enabled, data, _parent, dataCxt) => {
  if (!enabled || typeof data !== 'object' || data === null) return true;
  const problems = [
    ...formatterOptionConflicts(data as Record<string, unknown>),
    ...inlineTemplateProblems(data as Record<string, unknown>),
  ];
  validate.errors = problems.map(({ key, message }) => ({
    keyword: 'x-message-formatter',
    instancePath: `${dataCxt?.instancePath ?? ''}/${key}`,
    message,
    params: { key },
  }));
  return problems.length === 0;
};

/** `"x-message-formatter": true` on a formatter options object (see message-formatter.schema.json). */
export const messageFormatterKeyword: FuncKeywordDefinition = {
  keyword: 'x-message-formatter',
  schemaType: 'boolean',
  errors: true,
  validate: validate as FuncKeywordDefinition['validate'],
};
