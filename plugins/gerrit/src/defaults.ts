/**
 * Buildbot's default callbacks and the build list a summary callback receives, word for word
 * (gerrit.py): what users get without writing any code, and what module references may import.
 */
import { Results, statusToString, type BuildPayload } from '@bbreporters/core';
import { GERRIT_LABEL_VERIFIED, type ReviewResult } from './review.js';

/** One entry of summaryCB's buildInfoList (sorted by builder name). */
export interface BuildInfo {
  name: string;
  result: number | null | undefined;
  resultText: string;
  text: string | null | undefined;
  url: string | undefined;
  build: BuildPayload;
}

/** Buildbot's wording of a result in summaries. */
export function resultText(result: number | null | undefined): string {
  switch (result) {
    case Results.SUCCESS:
      return 'succeeded';
    case Results.FAILURE:
      return 'failed';
    case Results.WARNINGS:
      return 'completed with warnings';
    case Results.EXCEPTION:
      return 'encountered an exception';
    default:
      return `completed with unknown result ${String(result)}`;
  }
}

export function buildInfoList(builds: readonly BuildPayload[]): BuildInfo[] {
  return builds
    .map((build) => ({
      name: build.builder.name,
      result: build.results,
      resultText: resultText(build.results),
      text: build.state_string,
      url: build.url ?? undefined,
      build,
    }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Buildbot's defaultReviewCB: one review per finished build (not enabled unless asked for). */
export function defaultReviewCB(
  builderName: string,
  _build: BuildPayload,
  result: number | null | undefined,
): ReviewResult {
  if (result === Results.RETRY) return { message: null, labels: {} };
  const message = `Buildbot finished compiling your patchset\non configuration: ${builderName}\nThe result is: ${statusToString(result).toUpperCase()}\n`;
  return { message, labels: { [GERRIT_LABEL_VERIFIED]: result === Results.SUCCESS ? 1 : -1 } };
}

/** Buildbot's defaultSummaryCB: one line per build; Verified +1 only if every build succeeded. */
export function defaultSummaryCB(infos: readonly BuildInfo[]): ReviewResult {
  const lines = infos.map(
    (info) => `Builder ${info.name} ${info.resultText} (${info.text ?? ''})${info.url ? ` - ${info.url}` : '.'}`,
  );
  const allSucceeded = infos.length > 0 && infos.every((info) => info.result === Results.SUCCESS);
  return { message: lines.join('\n\n'), labels: { [GERRIT_LABEL_VERIFIED]: allSucceeded ? 1 : -1 } };
}

/** A summary's one result for label rules: success only when every build succeeded, else the worst. */
export function summaryResult(builds: readonly BuildPayload[]): number | null | undefined {
  if (builds.length > 0 && builds.every((b) => b.results === Results.SUCCESS)) return Results.SUCCESS;
  const severity = [
    Results.SUCCESS,
    Results.SKIPPED,
    Results.WARNINGS,
    Results.FAILURE,
    Results.EXCEPTION,
    Results.RETRY,
    Results.CANCELLED,
  ] as number[];
  let worst: number | null | undefined = undefined;
  for (const b of builds) {
    if (b.results === null || b.results === undefined) continue;
    if (worst === undefined || worst === null || severity.indexOf(b.results) > severity.indexOf(worst))
      worst = b.results;
  }
  return worst;
}
