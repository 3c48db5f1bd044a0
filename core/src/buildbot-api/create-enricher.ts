/**
 * `createEnricher`: REST enrichment for sources that do not talk to the master themselves (the
 * `http` source when the config names the master's API and credentials).
 */
import type { Config } from '../generated/schemas.js';
import { BuildbotRestClient, type BuildbotConnection } from './rest-client.js';
import type { Enricher } from '../enrichment/enricher.js';
import { RestEnricher } from './rest-enricher.js';
import { defined } from '../lang/defined.js';

export interface EnricherConfig extends BuildbotConnection {
  /** The web UI URL build links point to; default `url`. */
  buildbotURL?: string;
}

/** After a failed call, events pass unenriched for this long instead of each waiting for the master. */
export const ENRICHER_PAUSE_MS = 30_000;

export function createEnricher(config: EnricherConfig): Enricher & { close(): void } {
  const rest = new BuildbotRestClient({ timeoutMs: 10_000, ...config });
  const enricher = new RestEnricher(rest, config.buildbotURL ? { buildbotURL: config.buildbotURL } : {});
  let pausedUntil = 0;
  let lastError = '';
  return {
    async enrich(event, needs) {
      if (Date.now() < pausedUntil)
        throw new Error(
          `${rest.baseUrl}api/v2 failed recently (${lastError}); trying again in ${Math.ceil((pausedUntil - Date.now()) / 1000)} s`,
        );
      try {
        return await enricher.enrich(event, needs);
      } catch (error) {
        pausedUntil = Date.now() + ENRICHER_PAUSE_MS;
        lastError = error instanceof Error ? error.message : String(error);
        throw error;
      }
    },
    close: () => rest.close(),
  };
}

/**
 * The enricher a config asks for without a buildbot source: REST at `buildbotAPI.url` (default
 * `buildbotURL`) with `buildbotAPI`'s credentials; undefined when neither URL is set.
 */
export function configuredEnricher(
  config: Pick<Config, 'buildbotURL' | 'buildbotAPI'>,
): (Enricher & { close(): void }) | undefined {
  const url = config.buildbotAPI?.url ?? config.buildbotURL;
  if (!url) return undefined;
  const { user, password, token } = config.buildbotAPI ?? {};
  return createEnricher({
    url,
    ...defined({ user, password, token }),
    ...(config.buildbotURL ? { buildbotURL: config.buildbotURL } : {}),
  });
}
