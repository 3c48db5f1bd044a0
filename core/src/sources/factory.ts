/**
 * Source types by their config `type`: each checks its entry beyond the schema (what `check`
 * reports) and creates the source for `run`. A new type is one entry in `sourceTypes` (or a
 * `registerSourceType` call), nothing else.
 */
import type { ErrorDetail } from '../diagnostics/errors.js';
import type { SourceConfig } from '../generated/schemas.js';
import { eventNames, type EventName } from '../events/events.js';
import { buildbotSourceType } from './buildbot/type.js';
import { httpSourceType } from './http.js';
import { replaySourceType } from './replay.js';
import type { Source, SourceContext, SourceType } from './source.js';

type SourceTypes = { [T in SourceConfig['type']]?: SourceType<Extract<SourceConfig, { type: T }>> };

const sourceTypes: SourceTypes = {
  http: httpSourceType,
  replay: replaySourceType,
  buildbot: buildbotSourceType,
};

/** Adds (or replaces) the implementation of a source type. */
export function registerSourceType<T extends SourceConfig['type']>(
  type: T,
  implementation: SourceType<Extract<SourceConfig, { type: T }>>,
): void {
  (sourceTypes as Record<string, unknown>)[type] = implementation;
}

function typeOf(config: SourceConfig): SourceType | undefined {
  return sourceTypes[config.type] as SourceType | undefined;
}

/** The problems of the source entry at `path` (`sources[0]`), with full paths. */
export function checkSource(
  config: SourceConfig,
  path: string,
  context: Pick<SourceContext, 'configDir'>,
): ErrorDetail[] {
  const implementation = typeOf(config);
  if (!implementation)
    return [{ path: `${path}.type`, message: `source type "${config.type}" is not available in this version of core` }];
  return (implementation.check?.(config, context) ?? []).map((p) => ({
    path: `${path}.${p.path}`,
    message: p.message,
  }));
}

export async function createSource(config: SourceConfig, context: SourceContext): Promise<Source> {
  const implementation = typeOf(config);
  if (!implementation) throw new Error(`source type "${config.type}" is not available in this version of core`);
  return implementation.create(config, context);
}

/** The entry in one line, by its type's own `describe()`. */
export function describeSource(config: SourceConfig): string {
  return typeOf(config)?.describe(config) ?? `${config.type} (not available in this version of core)`;
}

/** The events a Buildbot master sends through this entry (every event for a type that does not say). */
export function sourceEvents(config: SourceConfig): readonly EventName[] {
  return typeOf(config)?.events ?? eventNames;
}

/** The source types that receive `event` from Buildbot: what to suggest when none configured does. */
export function sourceTypesReceiving(event: EventName): string[] {
  return Object.entries(sourceTypes)
    .filter(([, type]) => !type?.events || type.events.includes(event))
    .map(([name]) => name);
}
