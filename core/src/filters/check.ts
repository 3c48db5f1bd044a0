/**
 * Buildbot's config checks of the filters, as located details for `bbreporters check`. The JSON
 * Schema already checks shapes; these add the rules and wording Buildbot users know.
 */
import type { ErrorDetail } from '../diagnostics/errors.js';
import { modeProblems } from './mode.js';

/** `filters` are the filter keys of one reporter's options; `path` is where the options sit. */
export function filterProblems(filters: Record<string, unknown>, path: string): ErrorDetail[] {
  const details: ErrorDetail[] = modeProblems(filters.mode).map((message) => ({ path: `${path}.mode`, message }));
  if (filters.builders !== undefined && filters.tags !== undefined) {
    details.push({ path: `${path}.tags`, message: 'Please specify only builders or tags to include - not both.' });
  }
  return details;
}
