/**
 * Buildbot's builders / schedulers / branches / tags filters (common.md §8), checked in that order
 * before the mode rules. Schedulers and branches read build *properties*, as Buildbot does.
 */
import type { BuildPayload } from '../events/events.js';
import type { Filters } from '../generated/schemas.js';

/** The first element of a sourced property `[value, source]`, or undefined. */
export function propertyValue(build: { properties?: Record<string, unknown> | null }, name: string): unknown {
  const sourced = build.properties?.[name];
  return Array.isArray(sourced) ? sourced[0] : undefined;
}

/** Why `build` does not pass the filters, or undefined when it does. */
export function propsRejection(build: BuildPayload, filters: Filters): string | undefined {
  const builder = build.builder?.name;
  if (filters.builders && !filters.builders.includes(builder)) return `builder "${builder}" is not in builders`;
  if (filters.schedulers) {
    const scheduler = propertyValue(build, 'scheduler');
    if (!filters.schedulers.includes(scheduler as string))
      return `scheduler property ${JSON.stringify(scheduler ?? null)} is not in schedulers`;
  }
  if (filters.branches) {
    const branch = propertyValue(build, 'branch');
    if (!filters.branches.includes(branch as string))
      return `branch property ${JSON.stringify(branch ?? null)} is not in branches`;
  }
  if (filters.tags) {
    const tags = build.builder?.tags ?? [];
    if (!filters.tags.some((t) => tags.includes(t)))
      return `builder "${builder}" has none of the tags ${filters.tags.join(', ') || '(empty list)'}`;
  }
  return undefined;
}
