/**
 * Buildbot's `mode`: which finished builds are worth a message (common.md §7). The semantics,
 * shortcuts and config messages are Buildbot's own, quirks included: "all" leaves out change and
 * problem, the string "warnings" means failing + warnings while ["warnings"] means warnings only.
 */
import type { ModeName } from '../generated/schemas.js';
import { Results } from '../events/results.js';

export type { ModeName } from '../generated/schemas.js';

/** A mode as configured: a string shortcut or a list. */
export type ModeSetting = string | readonly string[];

export const possibleModes: readonly ModeName[] = Object.freeze([
  'change',
  'failing',
  'passing',
  'problem',
  'warnings',
  'exception',
  'cancelled',
]);

/** Buildbot's default when a reporter accepts `mode` and the user gives none. */
export const defaultMode: readonly ModeName[] = Object.freeze(['failing', 'passing', 'warnings']);

const shortcuts: Readonly<Record<string, readonly ModeName[]>> = {
  all: ['failing', 'passing', 'warnings', 'exception', 'cancelled'],
  warnings: ['failing', 'warnings'],
};

/** The mode list a setting stands for (undefined → Buildbot's default). Call `modeProblems` first. */
export function expandMode(mode: ModeSetting | undefined): readonly ModeName[] {
  if (mode === undefined) return defaultMode;
  if (typeof mode === 'string') return shortcuts[mode] ?? [mode as ModeName];
  return mode as readonly ModeName[];
}

/** One config error of a mode setting. */
export interface ModeProblem {
  message: string;
  /** The item's position, when the setting is a list. */
  index?: number;
  /** The names the value may take, when it is not a mode name (for "did you mean"). */
  allowed?: readonly string[];
}

/** Buildbot's config errors for a mode setting, word for word; empty when valid. */
export function modeProblems(mode: unknown): ModeProblem[] {
  if (mode === undefined) return [];
  if (typeof mode === 'string')
    return mode === 'all' || possibleModes.includes(mode as ModeName)
      ? []
      : [{ message: `mode ${mode} is not a valid mode`, allowed: ['all', ...possibleModes] }];
  if (!Array.isArray(mode)) return [{ message: 'mode must be a string or a list of strings' }];
  return mode.flatMap((m: unknown, index): ModeProblem[] =>
    m === 'all'
      ? [{ message: "mode 'all' is not valid in an iterator and must be passed in as a separate string", index }]
      : possibleModes.includes(m as ModeName)
        ? []
        : [{ message: `mode ${String(m)} is not a valid mode`, index, allowed: possibleModes }],
  );
}

/** `change` and `problem` compare with the previous build. */
export function wantsPreviousBuild(modes: readonly ModeName[]): boolean {
  return modes.includes('change') || modes.includes('problem');
}

export interface PreviousResults {
  results?: number | null;
}

/** Buildbot's is_message_needed_by_results: the first matching rule sends (common.md §7.2). */
export function isMessageNeeded(
  results: number | null | undefined,
  prev: PreviousResults | null | undefined,
  modes: readonly ModeName[],
): boolean {
  const hasPrev = prev !== null && prev !== undefined;
  const prevResults = hasPrev ? (prev.results ?? null) : undefined;
  if (modes.includes('change') && hasPrev && prevResults !== results) return true;
  if (modes.includes('failing') && results === Results.FAILURE) return true;
  if (modes.includes('passing') && results === Results.SUCCESS) return true;
  if (modes.includes('problem') && results === Results.FAILURE && hasPrev && prevResults !== Results.FAILURE)
    return true;
  if (modes.includes('warnings') && results === Results.WARNINGS) return true;
  if (modes.includes('exception') && results === Results.EXCEPTION) return true;
  if (modes.includes('cancelled') && results === Results.CANCELLED) return true;
  return false;
}
