/**
 * Which Gerrit changes a build verifies (Buildbot's getGerritChanges, gerrit.md §B.2): the
 * `gerrit_changes` property as given (a list of {change_id, revision_id}), else the Gerrit event's
 * `event.change.number` and `event.patchSet.number`. A build with neither is no Gerrit change.
 */
import { propertyValue, type BuildPayload } from '@bbreporters/core';

export interface VerifiedChange {
  /** A change number, or its long form `project~branch~I…` (any form Gerrit's REST API takes). */
  change_id: string;
  /** A patch set number or a commit id. */
  revision_id: string;
}

export type ChangesFound = { changes: VerifiedChange[] } | { changes: []; reason: string };

/** A property value a URL segment can be made of: a non-empty string or an integer. */
function identifier(value: unknown): string | undefined {
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  return undefined;
}

export function gerritChangesOf(build: BuildPayload): ChangesFound {
  const listed = propertyValue(build, 'gerrit_changes');
  if (listed !== undefined) return listedChanges(listed);
  const number = propertyValue(build, 'event.change.number');
  if (number === undefined)
    return {
      changes: [],
      reason: 'the build is not a Gerrit change (no gerrit_changes or event.change.number property)',
    };
  const change_id = identifier(number);
  const revision_id = identifier(propertyValue(build, 'event.patchSet.number'));
  if (!change_id) return { changes: [], reason: 'event.change.number is not a change number' };
  if (!revision_id) return { changes: [], reason: `change ${change_id}: event.patchSet.number is missing or empty` };
  return { changes: [{ change_id, revision_id }] };
}

function listedChanges(listed: unknown): ChangesFound {
  if (!Array.isArray(listed))
    return { changes: [], reason: 'gerrit_changes must be a list of {change_id, revision_id}' };
  const changes: VerifiedChange[] = [];
  for (const [i, entry] of listed.entries()) {
    const fields = typeof entry === 'object' && entry !== null ? (entry as Record<string, unknown>) : {};
    const change_id = identifier(fields.change_id);
    const revision_id = identifier(fields.revision_id);
    if (!change_id || !revision_id)
      return { changes: [], reason: `gerrit_changes[${i}] has no change_id and revision_id (strings or integers)` };
    changes.push({ change_id, revision_id });
  }
  if (changes.length === 0) return { changes: [], reason: 'gerrit_changes is an empty list' };
  return { changes };
}
