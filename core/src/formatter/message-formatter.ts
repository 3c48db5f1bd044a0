/**
 * Buildbot's MessageFormatter and MessageFormatterMissingWorker, with ejs templates: builds the
 * template context Buildbot documents, renders body and subject, and reports a failing template
 * as a BBR_TEMPLATE error naming the reporter and the template (the caller's hook outcome).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { importModuleReference, parseModuleReference } from '../kit/module-reference.js';
import { buildUrl } from '../kit/build-url.js';
import { BbrError, reasonOf } from '../diagnostics/errors.js';
import type { BuildPayload, BuildsetPayload, Worker, WorkerPayload } from '../events/events.js';
import { defaultMode, expandMode, type ModeName } from '../filters/mode.js';
import { propertyValue } from '../filters/props.js';
import type { TemplateType } from '../generated/schemas.js';
import type { MasterControl } from '../buildbot-api/master-control.js';
import type {
  AdditionalContextFunction,
  FormatBuildOptions,
  FormatBuildsetOptions,
  FormattedMessage,
  FormatterOptions,
  MessageFormatter,
  MissingWorkerFormatter,
  MissingWorkerOptions,
  RuntimeConfig,
} from '../plugin-api.js';
import { responsibleUsers } from '../kit/blamelist.js';
import { formatterOptionConflicts } from './option-rules.js';
import { detectedStatus, projectsText, resultNames, resultsStyle, sourcestampsText, summaryText } from './status.js';
import {
  compileTemplate,
  defaultSource,
  describeTemplateError,
  fileSource,
  inlineSource,
  type CompiledTemplate,
  type TemplateSource,
} from './templates.js';
import { defined } from '../lang/defined.js';

/** What a formatter knows about the reporter that created it. */
export interface FormatterEnv {
  reporter: string;
  config: RuntimeConfig;
  master?: MasterControl;
  /** The reporter's expanded mode; undefined → Buildbot's default. */
  modes?: readonly ModeName[];
  /** The builds of a buildset the reporter's filters let through (default: all of them). */
  reportedBuilds?: (buildset: BuildsetPayload) => BuildPayload[];
}

interface Template {
  source: TemplateSource;
  render: CompiledTemplate;
}

type ContextExtender = (
  context: Record<string, unknown>,
  env: Parameters<AdditionalContextFunction>[1],
) => Promise<void>;

const payloadOf = <P>(input: P | { payload: P }): P =>
  typeof input === 'object' &&
  input !== null &&
  'payload' in input &&
  typeof (input as { payload: unknown }).payload === 'object'
    ? (input as { payload: P }).payload
    : (input as P);

function optionsError(env: FormatterEnv, message: string, cause?: unknown): BbrError {
  return new BbrError(
    'BBR_FORMATTER_OPTIONS',
    `reporter "${env.reporter}": ${message}`,
    cause === undefined ? {} : { cause },
  );
}

function templateType(env: FormatterEnv, type: unknown): TemplateType {
  if (type === undefined || type === 'plain' || type === 'html') return type ?? 'plain';
  throw optionsError(env, `MessageFormatter: template type ${String(type)} is not known to pick default template`);
}

function compile(env: FormatterEnv, source: TemplateSource, type: TemplateType): Template {
  try {
    return { source, render: compileTemplate(source, type) };
  } catch (error) {
    // ejs appends advice about EJS-Lint and async: keep the first line.
    throw optionsError(env, `template "${source.name}" does not compile: ${reasonOf(error).split('\n')[0]}`, error);
  }
}

function readFile(env: FormatterEnv, dir: string | undefined, file: string, what: string): TemplateSource {
  const path = resolve(env.config.configDir, dir ?? '.', file);
  if (!existsSync(path)) throw optionsError(env, `${what} ${path} does not exist`);
  return fileSource(path);
}

interface Sources {
  body: TemplateSource;
  subject?: TemplateSource;
  isDefault: boolean;
}

/** Buildbot's rules: one of template / template path, one of subject / subject_filename. */
function pickSources(
  env: FormatterEnv,
  options: FormatterOptions | MissingWorkerOptions,
  type: TemplateType,
  defaults: { body: string; subject: string; kind: string },
): Sources {
  const conflict = formatterOptionConflicts(options)[0];
  if (conflict) throw optionsError(env, conflict.message);
  const filename = options.template_filename ?? ('template_name' in options ? options.template_name : undefined);
  const subject =
    options.subject !== undefined
      ? inlineSource('inline subject', options.subject)
      : options.subject_filename !== undefined
        ? readFile(env, options.template_dir, options.subject_filename, 'subject_filename')
        : undefined;
  if (options.template !== undefined)
    return {
      body: inlineSource('inline template', options.template),
      ...(subject ? { subject } : {}),
      isDefault: false,
    };
  if (options.template_dir !== undefined || filename !== undefined) {
    return {
      body: readFile(env, options.template_dir, filename ?? 'default_mail.txt', 'template'),
      ...(subject ? { subject } : {}),
      isDefault: false,
    };
  }
  return {
    body: defaultSource(defaults.body.replace('{type}', type), `default ${defaults.kind} (${type})`),
    subject: subject ?? defaultSource(defaults.subject, `default ${defaults.kind} subject`),
    isDefault: true,
  };
}

function contextExtender(
  env: FormatterEnv,
  fn: string | AdditionalContextFunction | undefined,
): ContextExtender | undefined {
  if (fn === undefined) return undefined;
  let loaded: Promise<AdditionalContextFunction> | undefined;
  if (typeof fn === 'string') {
    // Fail at setup when the file is missing; import on first use.
    const { file } = parseModuleReference(fn, env.config.configDir);
    if (!existsSync(file)) throw optionsError(env, `buildAdditionalContext "${fn}": ${file} does not exist`);
  } else loaded = Promise.resolve(fn);
  return async (context, extra) => {
    loaded ??= importModuleReference<AdditionalContextFunction>(fn as string, env.config.configDir);
    const added = await (await loaded)(context, extra);
    if (added && typeof added === 'object') Object.assign(context, added);
  };
}

class TemplateRenderer {
  readonly body: Template;
  readonly subject?: Template;

  constructor(
    private readonly env: FormatterEnv,
    sources: Sources,
    readonly type: TemplateType,
    private readonly extend: ContextExtender | undefined,
  ) {
    this.body = compile(env, sources.body, type);
    // Subjects are never html: event data goes in as is.
    if (sources.subject) this.subject = compile(env, sources.subject, 'plain');
  }

  async render(
    context: Record<string, unknown>,
    what: string,
    extra: Parameters<AdditionalContextFunction>[1],
  ): Promise<FormattedMessage> {
    if (this.extend) {
      try {
        await this.extend(context, extra);
      } catch (error) {
        throw new BbrError(
          'BBR_TEMPLATE',
          `reporter "${this.env.reporter}": buildAdditionalContext failed for ${what}: ${reasonOf(error)}`,
          { cause: error },
        );
      }
    }
    const body = this.run(this.body, context, what);
    if (!this.subject) return { body, type: this.type };
    // A subject is one header line. Line breaks that come from event data (a property, a builder
    // name) are folded into spaces rather than dropping the message; templates with newlines are
    // refused at config time, as in Buildbot.
    const subject = this.run(this.subject, context, what).replace(/[ \t]*[\r\n]+[ \t]*/g, ' ');
    return { subject, body, type: this.type };
  }

  private run(template: Template, context: Record<string, unknown>, what: string): string {
    try {
      return template.render(context);
    } catch (error) {
      throw new BbrError(
        'BBR_TEMPLATE',
        `reporter "${this.env.reporter}": template "${template.source.name}" failed for ${what}: ${describeTemplateError(error)}`,
        { cause: error },
      );
    }
  }
}

/** The payload's `url`, else Buildbot's build URL under `buildbotURL`. */
function buildURL(build: BuildPayload, config: RuntimeConfig): string {
  return build.url ?? buildUrl(config.buildbotURL ?? '', build);
}

/** The build as the templates see it: only what wantProperties/wantSteps/wantLogs ask for, log urls filled. */
function templateBuild(build: BuildPayload, wants: MessageFormatter['wants'], url: string): BuildPayload {
  const copy: BuildPayload = { ...build, properties: wants.properties ? (build.properties ?? {}) : {} };
  if (!wants.steps) delete copy.steps;
  else if (copy.steps) {
    copy.steps = copy.steps.map((step) => {
      if (!wants.logs) {
        const { logs: _logs, ...rest } = step as typeof step & { logs?: unknown };
        return rest;
      }
      const logs = (step as { logs?: Array<Record<string, unknown>> }).logs;
      return logs
        ? {
            ...step,
            logs: logs.map((log) => ({
              url: `${url}/steps/${step.number}/logs/${String(log.slug ?? log.name)}`,
              ...log,
            })),
          }
        : step;
    }) as BuildPayload['steps'];
  }
  return copy;
}

export function createMessageFormatter(options: FormatterOptions = {}, env: FormatterEnv): MessageFormatter {
  const type = templateType(env, options.template_type);
  const sources = pickSources(env, options, type, { body: 'body.{type}.ejs', subject: 'subject.ejs', kind: 'message' });
  // Buildbot's default templates show steps and their logs.
  const wants = Object.freeze({
    properties: options.wantProperties ?? true,
    steps: sources.isDefault || Boolean(options.wantSteps) || Boolean(options.wantLogs),
    logs: sources.isDefault || Boolean(options.wantLogs),
  });
  const renderer = new TemplateRenderer(env, sources, type, contextExtender(env, options.buildAdditionalContext));
  const userCtx = options.ctx ?? {};

  const context = (
    raw: BuildPayload,
    modes: readonly ModeName[],
    isBuildset: boolean,
    blamelist: readonly string[] | undefined,
  ): Record<string, unknown> => {
    const url = buildURL(raw, env.config);
    const build = templateBuild(raw, wants, url);
    const previous = raw.prev_build ? raw.prev_build.results : undefined;
    const properties = build.properties ?? {};
    return {
      results: raw.results,
      result_names: resultNames,
      mode: modes,
      buildername: raw.builder.name,
      workername: propertyValue(raw, 'workername') ?? '<unknown>',
      buildset: raw.buildset,
      build,
      is_buildset: isBuildset,
      projects: projectsText(raw.buildset, env.config.title),
      previous_results: previous ?? null,
      status_detected: detectedStatus(modes, raw.results, previous),
      build_url: url,
      buildbot_url: env.config.buildbotURL ?? '',
      buildbot_title: env.config.title,
      blamelist: blamelist ? [...blamelist] : responsibleUsers(raw),
      summary: summaryText(raw.results, raw.state_string),
      sourcestamps: sourcestampsText(raw.buildset),
      ...(sources.isDefault ? { results_style: resultsStyle } : {}),
      /** prop(name, fallback): the property's value, or fallback when the build has no such property. */
      prop: (name: string, fallback: unknown = '') =>
        Array.isArray(properties[name]) ? (properties[name] as unknown[])[0] : fallback,
      ...userCtx,
    };
  };
  const reportedBuilds = (payload: BuildsetPayload) => env.reportedBuilds?.(payload) ?? payload.builds;
  const modesOf = (o: FormatBuildOptions | undefined) =>
    o?.mode !== undefined ? expandMode(o.mode) : (env.modes ?? defaultMode);
  const describe = (build: BuildPayload) => `build ${build.number} of builder "${build.builder?.name}"`;
  const renderBuild = (build: BuildPayload, o: FormatBuildOptions | undefined, isBuildset: boolean) =>
    renderer.render(context(build, modesOf(o), isBuildset, o?.blamelist), describe(build), {
      config: env.config,
      build,
      ...(env.master ? { master: env.master } : {}),
    });

  return {
    type,
    wants,
    formatBuild: async (input, o) => renderBuild(payloadOf<BuildPayload>(input), o, false),
    reportedBuilds: (input) => reportedBuilds(payloadOf<BuildsetPayload>(input)),
    async formatBuildset(input, o?: FormatBuildsetOptions) {
      const payload = payloadOf<BuildsetPayload>(input);
      const builds = o?.builds ?? reportedBuilds(payload);
      const messages: FormattedMessage[] = [];
      for (const build of builds) messages.push(await renderBuild(build, o, true));
      const subject = messages.find((m) => m.subject !== undefined)?.subject;
      return { ...defined({ subject }), body: messages.map((m) => m.body).join(''), type };
    },
  };
}

export function createMissingWorkerFormatter(
  options: MissingWorkerOptions = {},
  env: FormatterEnv,
): MissingWorkerFormatter {
  const type = templateType(env, options.template_type);
  const sources = pickSources(env, options, type, {
    body: 'missing-worker.{type}.ejs',
    subject: 'missing-worker.subject.ejs',
    kind: 'missing-worker message',
  });
  const renderer = new TemplateRenderer(env, sources, type, contextExtender(env, options.buildAdditionalContext));
  return {
    type,
    async formatWorkerMissing(input) {
      const raw = payloadOf<Worker | WorkerPayload>(input);
      const worker: Worker = 'worker' in raw && typeof raw.worker === 'object' ? raw.worker : (raw as Worker);
      const context = {
        buildbot_title: env.config.title,
        buildbot_url: env.config.buildbotURL ?? '',
        worker: { workerinfo: {}, ...worker },
        ...(options.ctx ?? {}),
      };
      return renderer.render(context, `worker "${worker.name}"`, {
        config: env.config,
        worker,
        ...(env.master ? { master: env.master } : {}),
      });
    },
  };
}
