/** The `buildbot` entry of a config's `sources`: checks beyond the schema, and the source for `run`. */
import { join } from 'node:path';
import type { BuildbotSourceConfig } from '../../generated/schemas.js';
import { redactUrl } from '../../http/redact.js';
import type { SourceType } from '../source.js';
import { defined } from '../../lang/defined.js';

/** `127.0.0.1_8010`: a master's name in file names and Redis keys. */
function masterName(url: string): string {
  const { host, pathname } = new URL(url);
  return `${host}${pathname}`.replace(/[^A-Za-z0-9.-]+/g, '_').replace(/_+$/, '');
}

/** `buildbot-127.0.0.1_8010.json`: one state file per master. */
export function stateFileName(url: string): string {
  return `buildbot-${masterName(url)}.json`;
}

/** `source:buildbot:127.0.0.1_8010`: the Redis mode's lease (and shared cursor) of one master's follower. */
export function leaseName(url: string): string {
  return `source:buildbot:${masterName(url)}`;
}

export const buildbotSourceType: SourceType<BuildbotSourceConfig> = {
  check(config) {
    const problems: Array<{ path: string; message: string }> = [];
    if (config.user !== undefined && config.password === undefined)
      problems.push({ path: 'password', message: 'is required with user (the master is logged in to with both)' });
    if (config.password !== undefined && config.user === undefined)
      problems.push({ path: 'user', message: 'is required with password' });
    if (config.token !== undefined && config.user !== undefined)
      problems.push({ path: 'token', message: 'give either token or user and password, not both' });
    if ((config.reconnectMaxDelay ?? 30_000) < (config.reconnectDelay ?? 500))
      problems.push({ path: 'reconnectMaxDelay', message: 'must not be smaller than reconnectDelay' });
    return problems;
  },
  describe: (config) => `buildbot ${redactUrl(config.url)}`,
  // Imported here: the WebSocket and REST clients are what `check` need not load.
  async create(config, context) {
    const { BuildbotSource } = await import('./source.js');
    // The Redis mode: one instance at a time follows the master, on a cursor they share.
    const lease = leaseName(config.url);
    const shared = context.cluster ? { lease, cursorStore: context.cluster.cursorStore(lease) } : {};
    return new BuildbotSource({
      url: config.url,
      ...defined({
        user: config.user,
        password: config.password,
        token: config.token,
        reconnectDelayMs: config.reconnectDelay,
        reconnectMaxDelayMs: config.reconnectMaxDelay,
        pingIntervalMs: config.pingInterval,
        timeoutMs: config.timeout,
      }),
      ...(context.buildbotURL ? { buildbotURL: context.buildbotURL } : {}),
      stateFile: join(context.stateDir, stateFileName(config.url)),
      ...shared,
      logger: context.logger,
    });
  },
};
