/**
 * Buildbot's getResponsibleUsersForBuild (common.md §6.1) over what the event carries: the
 * changes' authors plus the `owner` / `owners` properties, deduplicated and sorted. Empty names
 * (Buildbot's force form sets owner "") are dropped.
 */
import type { BuildPayload } from '../events/events.js';
import { propertyValue } from '../filters/props.js';

export function responsibleUsers(build: BuildPayload): string[] {
  if (build.blamelist) return [...build.blamelist];
  const users = new Set<string>();
  for (const change of build.changes ?? []) users.add(change.author);
  const owner = propertyValue(build, 'owner');
  for (const o of Array.isArray(owner) ? owner : [owner]) if (typeof o === 'string') users.add(o);
  const owners = propertyValue(build, 'owners');
  if (Array.isArray(owners)) for (const o of owners) if (typeof o === 'string') users.add(o);
  users.delete('');
  return [...users].sort();
}
