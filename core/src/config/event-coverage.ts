/**
 * Reporter features no configured source can feed: a reporter whose hooks no source receives
 * from Buildbot, or an option its manifest's `optionEvents` ties to such an event (mail's
 * buildSetSummary with only an `http` source: HttpStatusPush posts no buildsets). Nothing
 * fails, yet nothing would ever be sent: `check` prints these warnings and `run` logs them.
 */
import type { EventName } from '../events/events.js';
import type { SourceConfig } from '../generated/schemas.js';
import type { PreparedReporter } from '../loader/prepare.js';
import { sourceEvents, sourceTypesReceiving } from '../sources/factory.js';

type OptionEvent = NonNullable<PreparedReporter['manifest']['optionEvents']>[number];

/** Whether the user's value turns the option's feature on (see the manifest schema's `when`). */
function turnsOn(value: unknown, when: OptionEvent['when']): boolean {
  if (when === undefined)
    return value !== undefined && value !== null && value !== false && !(Array.isArray(value) && !value.length);
  if (Array.isArray(value)) return value.includes(when);
  if (typeof value === 'object' && value !== null) return typeof when === 'string' && Object.hasOwn(value, when);
  return value === when;
}

export function eventCoverageWarnings(
  sources: readonly SourceConfig[],
  reporters: readonly PreparedReporter[],
): string[] {
  // Without sources the host emits the events itself (createReporters, preview): anything may come.
  if (!sources.length) return [];
  const received = new Set(sources.flatMap((s) => sourceEvents(s)));
  const configured = [...new Set(sources.map((s) => s.type))].join(', ');
  const missing = (events: readonly EventName[]) =>
    `no configured source (${configured}) receives ${events.join(' or ')} events from Buildbot; ` +
    `add a source of type ${[...new Set(events.flatMap(sourceTypesReceiving))].join(' or ')}`;
  const warnings: string[] = [];
  for (const r of reporters) {
    const path = r.spec.path ?? r.name;
    if (!r.manifest.hooks.some((hook) => received.has(hook))) {
      warnings.push(
        `${path}: reporter "${r.name}" handles only ${r.manifest.hooks.join(', ')}, but ${missing(r.manifest.hooks)}`,
      );
      continue;
    }
    const options = (r.spec.options ?? {}) as Record<string, unknown>;
    for (const { option, event, when } of r.manifest.optionEvents ?? []) {
      if (received.has(event) || !turnsOn(options[option], when)) continue;
      warnings.push(
        `${path}.options.${option}: reporter "${r.name}" reports this on ${event} events, but ${missing([event])}`,
      );
    }
  }
  return warnings;
}
