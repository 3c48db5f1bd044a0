/**
 * Buildbot's config checks of the filters, as located details for `bbreporters check`. The JSON
 * Schema already checks shapes; these add the rules and wording Buildbot users know.
 */
import type { ErrorDetail } from '../diagnostics/errors.js';
import { modeProblems } from './mode.js';

/** A detail with what the value may be, worded like ajv's `enum` so config errors add "did you mean". */
export type FilterProblem = ErrorDetail & { keyword?: 'enum'; params?: { allowedValues: readonly string[] } };

/** `filters` are the filter keys of one reporter's options; `path` is where the options sit. */
export function filterProblems(filters: Record<string, unknown>, path: string): FilterProblem[] {
  const details: FilterProblem[] = modeProblems(filters.mode).map(({ message, index, allowed }) => ({
    path: index === undefined ? `${path}.mode` : `${path}.mode[${index}]`,
    message,
    ...(allowed ? { keyword: 'enum' as const, params: { allowedValues: allowed } } : {}),
  }));
  if (filters.builders !== undefined && filters.tags !== undefined) {
    details.push({ path: `${path}.tags`, message: 'Please specify only builders or tags to include - not both.' });
  }
  return details;
}
