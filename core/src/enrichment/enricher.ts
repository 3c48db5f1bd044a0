/**
 * Enrichment: before dispatch, core fills what the loaded reporters' manifests `need` (steps,
 * logs, previous build, changes, blamelist) into each event. An enricher asks the master for it;
 * the `buildbot` source brings one, and the `http` source gets one when the config names the
 * master's API (see createEnricher).
 */
import type { BbEvent, EventName } from '../events/events.js';
import type { PluginManifest } from '../generated/schemas.js';

export type Need = NonNullable<PluginManifest['needs']>[number];

export interface Enricher {
  /**
   * The event with what `needs` asks for filled in, plus what every build payload carries
   * (builder, buildset, buildrequest, properties, url) when the input lacked it. What the event
   * already carries is kept. Rejects when the master cannot be asked.
   */
  enrich(event: BbEvent, needs: ReadonlySet<Need>): Promise<BbEvent>;
  /**
   * The needs each event will be enriched with, from the reporters set up (again after a reload): an
   * enricher may fetch early what a later event needs, or all of it in one go.
   */
  plan?(needs: ReadonlyMap<EventName, ReadonlySet<Need>>): void;
}

/** The union of the manifests' `needs`. */
export function needsOf(manifests: Iterable<Pick<PluginManifest, 'needs'>>): Set<Need> {
  const needs = new Set<Need>();
  for (const m of manifests) for (const need of m.needs ?? []) needs.add(need);
  // Log texts hang off log entries, which hang off steps.
  if (needs.has('log_contents')) needs.add('logs');
  if (needs.has('logs')) needs.add('steps');
  // The blamelist is computed from the changes.
  if (needs.has('blamelist')) needs.add('changes');
  return needs;
}
