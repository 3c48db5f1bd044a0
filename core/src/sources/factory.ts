/**
 * Source types by their config `type`: each checks its entry beyond the schema (what `check`
 * reports) and creates the source for `run`. A new type is one entry in `sourceTypes` (or a
 * `registerSourceType` call), nothing else.
 */
import type { ErrorDetail } from '../errors.js';
import type { SourceConfig } from '../generated/schemas.js';
import type { Logger } from '../logger.js';
import { buildbotSourceType } from './buildbot/type.js';
import { httpSourceType } from './http.js';
import { replaySourceType } from './replay.js';
import type { Source } from './source.js';

export interface SourceContext {
  /** The config file's folder: relative paths in a source's entry resolve from here. */
  configDir: string;
  logger: Logger;
  /** Standard input, for sources that read it (replay with file '-'). */
  stdin?: NodeJS.ReadableStream;
  /** Absolute state folder (config `stateDir`): the buildbot source keeps its view of the master there. */
  stateDir?: string;
  /** Config `buildbotURL`: where build links point. */
  buildbotURL?: string;
}

export interface SourceType<C extends SourceConfig = SourceConfig> {
  /**
   * Problems the schema cannot see (an address that does not parse, auth missing on a public
   * address). Paths are relative to the entry: `listen`, `password`.
   */
  check?(config: C, context: Pick<SourceContext, 'configDir'>): Array<Pick<ErrorDetail, 'path' | 'message'>>;
  /** Creates the source; it starts receiving only when `start(sink)` is called. */
  create(config: C, context: SourceContext): Source;
}

type SourceTypes = { [T in SourceConfig['type']]?: SourceType<Extract<SourceConfig, { type: T }>> };

const sourceTypes: SourceTypes = {
  http: httpSourceType,
  replay: replaySourceType,
  buildbot: buildbotSourceType,
};

/** Adds (or replaces) the implementation of a source type. */
export function registerSourceType<T extends SourceConfig['type']>(type: T, implementation: SourceType<Extract<SourceConfig, { type: T }>>): void {
  (sourceTypes as Record<string, unknown>)[type] = implementation;
}

function typeOf(config: SourceConfig): SourceType | undefined {
  return sourceTypes[config.type] as SourceType | undefined;
}

/** The problems of the source entry at `path` (`sources[0]`), with full paths. */
export function checkSource(config: SourceConfig, path: string, context: Pick<SourceContext, 'configDir'>): ErrorDetail[] {
  const implementation = typeOf(config);
  if (!implementation) return [{ path: `${path}.type`, message: `source type "${config.type}" is not available in this version of core` }];
  return (implementation.check?.(config, context) ?? []).map((p) => ({ path: `${path}.${p.path}`, message: p.message }));
}

export function createSource(config: SourceConfig, context: SourceContext): Source {
  const implementation = typeOf(config);
  if (!implementation) throw new Error(`source type "${config.type}" is not available in this version of core`);
  return implementation.create(config, context);
}
