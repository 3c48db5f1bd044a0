/**
 * The web console (`console:`) is served by an http source: without one it would be on and nowhere
 * to be found. `check` prints this warning and `run` logs it.
 */
import type { Config } from '../generated/schemas.js';

export function consoleCoverageWarnings(config: Pick<Config, 'console' | 'sources'>): string[] {
  const on = config.console === true || (typeof config.console === 'object' && config.console.enabled !== false);
  if (!on || (config.sources ?? []).some((s) => s.type === 'http')) return [];
  return [
    'console: the web console is on, but no http source serves it (/ui/): add one, e.g. "sources: [{ type: http, listen: 127.0.0.1:8020 }]" (loopback, or with token/user credentials)',
  ];
}
