/**
 * `createEnricher`: REST enrichment for sources that do not talk to the master themselves (the
 * `http` source when the config names the master's API and credentials).
 */
import { BuildbotRestClient, type BuildbotConnection } from '../sources/buildbot/rest-client.js';
import type { Enricher } from './enricher.js';
import { RestEnricher } from './rest-enricher.js';

export type { Enricher, Need } from './enricher.js';
export { needsOf } from './enricher.js';
export { RestEnricher } from './rest-enricher.js';
export { buildUrl } from './build-url.js';

export interface EnricherConfig extends BuildbotConnection {
  /** The web UI URL build links point to; default `url`. */
  buildbotURL?: string;
}

export function createEnricher(config: EnricherConfig): Enricher & { close(): void } {
  const rest = new BuildbotRestClient(config);
  const enricher = new RestEnricher(rest, config.buildbotURL ? { buildbotURL: config.buildbotURL } : {});
  return { enrich: (event, needs) => enricher.enrich(event, needs), close: () => rest.close() };
}
