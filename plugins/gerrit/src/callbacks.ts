/**
 * The three callbacks as configured: a module reference (`./hooks.mjs#review`, Buildbot's
 * signatures), a template rule (ejs message through core's MessageFormatter + label scores),
 * "default" (Buildbot's default callback) or null (off). Buildbot's sentinels decide what runs
 * when a callback is absent: no reviewCB and no summaryCB → the default summary only.
 */
import {
  importModuleReference,
  statusToString,
  type BuildPayload,
  type BuildsetPayload,
  type PluginContext,
} from '@bbreporters/core';
import {
  buildInfoList,
  defaultReviewCB,
  defaultSummaryCB,
  resultText,
  summaryResult,
  type BuildInfo,
} from './defaults.js';
import type { GerritOptions, LabelValue, ReviewRule } from './generated/options.js';
import type { ReviewResult } from './review.js';

type Setting = GerritOptions['reviewCB'];

export type StartCallback = (builderName: string, build: BuildPayload, arg: unknown) => unknown;
export type ReviewCallback = (
  builderName: string,
  build: BuildPayload,
  result: number | null | undefined,
  master: unknown,
  arg: unknown,
) => unknown;
export type SummaryCallback = (buildInfoList: BuildInfo[], results: string, master: unknown, arg: unknown) => unknown;

/** What the handlers call: each returns the callback's raw answer (checked by checkResult). */
export interface Callbacks {
  start?: (build: BuildPayload) => Promise<unknown>;
  review?: (build: BuildPayload) => Promise<unknown>;
  summary?: (buildset: BuildsetPayload, builds: BuildPayload[]) => Promise<unknown>;
}

/** The docs' example start callback (git_gerrit.cfg), for `startCB: default`. */
export function defaultStartCB(builderName: string, build: BuildPayload): ReviewResult {
  return {
    message: `Buildbot started compiling your patchset\non configuration: ${builderName}\nSee your build here: ${build.url ?? ''}`,
  };
}

function scoreFor(value: LabelValue, result: number | null | undefined): number | undefined {
  if (typeof value === 'number') return value;
  const byResult = value as Record<string, number | undefined>;
  return byResult[statusToString(result)] ?? byResult.default;
}

function ruleLabels(rule: ReviewRule, result: number | null | undefined): Record<string, number> {
  const labels: Record<string, number> = {};
  for (const [name, value] of Object.entries(rule.labels ?? {})) {
    const score = scoreFor(value, result);
    if (score !== undefined) labels[name] = score;
  }
  return labels;
}

/** A template rule: the message rendered by core's MessageFormatter, with `arg` and `resultText` added. */
function ruleRenderer(ctx: PluginContext, rule: ReviewRule, arg: unknown) {
  const formatter = ctx.formatter.create({ template: rule.message, ctx: { arg, resultText } });
  return async (build: BuildPayload) => (await formatter.formatBuild(build)).body;
}

export async function resolveCallbacks(options: GerritOptions, ctx: PluginContext): Promise<Callbacks> {
  const { configDir } = ctx.config;
  const clone = <T>(value: T): T => structuredClone(value);
  const master = ctx.master;
  const load = <F extends (...args: never[]) => unknown>(ref: string) => importModuleReference<F>(ref, configDir);
  const summarySetting: Setting =
    options.summaryCB !== undefined ? options.summaryCB : options.reviewCB === undefined ? 'default' : null;

  const callbacks: Callbacks = {};
  const start = options.startCB;
  if (start === 'default') callbacks.start = async (build) => defaultStartCB(build.builder.name, build);
  else if (typeof start === 'string') {
    const fn = await load<StartCallback>(start);
    callbacks.start = async (build) => fn(build.builder.name, clone(build), clone(options.startArg));
  } else if (start) {
    const render = ruleRenderer(ctx, start, options.startArg);
    callbacks.start = async (build) => ({ message: await render(build), labels: ruleLabels(start, null) });
  }

  const review = options.reviewCB;
  if (review === 'default')
    callbacks.review = async (build) => defaultReviewCB(build.builder.name, build, build.results);
  else if (typeof review === 'string') {
    const fn = await load<ReviewCallback>(review);
    callbacks.review = async (build) =>
      fn(build.builder.name, clone(build), build.results, master, clone(options.reviewArg));
  } else if (review) {
    const render = ruleRenderer(ctx, review, options.reviewArg);
    callbacks.review = async (build) => ({ message: await render(build), labels: ruleLabels(review, build.results) });
  }

  if (summarySetting === 'default')
    callbacks.summary = async (_buildset, builds) => defaultSummaryCB(buildInfoList(builds));
  else if (typeof summarySetting === 'string') {
    const fn = await load<SummaryCallback>(summarySetting);
    callbacks.summary = async (buildset, builds) =>
      fn(clone(buildInfoList(builds)), statusToString(buildset.buildset.results), master, clone(options.summaryArg));
  } else if (summarySetting) {
    const rule = summarySetting;
    const render = ruleRenderer(ctx, rule, options.summaryArg);
    callbacks.summary = async (_buildset, builds) => {
      const parts: string[] = [];
      for (const info of buildInfoList(builds)) parts.push((await render(info.build)).replace(/\n+$/, ''));
      return { message: parts.join('\n\n'), labels: ruleLabels(rule, summaryResult(builds)) };
    };
  }
  return callbacks;
}
