/**
 * The texts Buildbot's MessageFormatter puts in its template context: `status_detected`,
 * `summary`, `projects`, `sourcestamps` (common.md §7.3, mail.md §4.4–4.5). Newest Buildbot's
 * behaviour, where it fixed a bug (the "problem" text after a SUCCESS).
 */
import type { ModeName } from '../filters/mode.js';
import type { Buildset } from '../events/events.js';
import { Results, statusToString } from '../events/results.js';

/** Buildbot's `Results` list (`result_names` in templates). */
export const resultNames: readonly string[] = Object.freeze([
  'success',
  'warnings',
  'failure',
  'skipped',
  'exception',
  'retry',
  'cancelled',
]);

/** `results_style` of the default html template. */
export const resultsStyle: Readonly<Record<number, string>> = Object.freeze({
  [Results.SUCCESS]: '',
  [Results.EXCEPTION]: 'color: #f0f; font-weight: bold;',
  [Results.FAILURE]: 'color: #f00; font-weight: bold;',
  [Results.RETRY]: 'color: #4af;',
  [Results.SKIPPED]: 'color: #4af;',
  [Results.CANCELLED]: 'color: #4af;',
  [Results.WARNINGS]: 'color: #f80;',
});

/** `status_detected`: "new failure", "restored build", "passing build", … */
export function detectedStatus(
  modes: readonly ModeName[],
  results: number | null | undefined,
  previousResults: number | null | undefined,
): string {
  const hasPrev = previousResults !== undefined;
  if (results === Results.FAILURE) {
    return (modes.includes('change') || modes.includes('problem')) && hasPrev && previousResults !== Results.FAILURE
      ? 'new failure'
      : 'failed build';
  }
  if (results === Results.WARNINGS) return 'problem in the build';
  if (results === Results.SUCCESS)
    return modes.includes('change') && hasPrev && previousResults !== Results.SUCCESS
      ? 'restored build'
      : 'passing build';
  if (results === Results.EXCEPTION) return 'build exception';
  return `${statusToString(results)} build`;
}

/** `summary`: "Build succeeded!", "BUILD FAILED: failed compile", … */
export function summaryText(results: number | null | undefined, stateString: string | undefined): string {
  const ss = stateString ? `: ${stateString}` : '';
  if (results === Results.SUCCESS) return 'Build succeeded!';
  if (results === Results.WARNINGS) return `Build Had Warnings${ss}`;
  if (results === Results.CANCELLED) return 'Build was cancelled';
  return `BUILD FAILED${ss}`;
}

/** `projects`: the sourcestamps' non-empty projects, else the master's title. */
export function projectsText(buildset: Buildset | undefined, title: string): string {
  const projects = [
    ...new Set((buildset?.sourcestamps ?? []).map((ss) => ss.project).filter((p): p is string => Boolean(p))),
  ];
  return projects.length ? projects.join(', ') : title;
}

/** `sourcestamps`: one "Build Source Stamp 'cb': [branch b] rev (plus patch)" line each. */
export function sourcestampsText(buildset: Buildset | undefined): string {
  return (buildset?.sourcestamps ?? [])
    .map((ss) => {
      const codebase = ss.codebase ? ` '${ss.codebase}'` : '';
      const branch = ss.branch ? `[branch ${ss.branch}] ` : '';
      return `Build Source Stamp${codebase}: ${branch}${ss.revision || 'HEAD'}${ss.patch ? ' (plus patch)' : ''}\n`;
    })
    .join('');
}
