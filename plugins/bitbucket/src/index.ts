/**
 * @bbreporters/bitbucket: Buildbot's BitbucketStatusPush for Bitbucket Cloud. When a build starts
 * (INPROGRESS) and when it finishes (SUCCESSFUL or FAILED), one build status per source stamp
 * with a revision. The handlers describe each request; `send` adds the OAuth2 token (cached until
 * it expires, fetched again once when Bitbucket answers 401) and lets core's client send it, so
 * retries, Retry-After and order per status stay core's.
 */
import { createHash } from 'node:crypto';
import {
  withHeaders,
  basicAuthorization,
  bitbucketStates,
  commitStatusHandlers,
  definePlugin,
  describeStamp,
  encodedPath,
  urlUnder,
  isHttpError,
  withoutTrailingSlashes,
  type HttpRequest,
  type QueuedDelivery,
  type SendOptions,
} from '@bbreporters/core';
import type { BitbucketOptions } from './generated/options.js';
import { ownerAndRepo } from './repo.js';
import { OAuthTokens } from './token.js';

export type { BitbucketOptions } from './generated/options.js';
export { ownerAndRepo } from './repo.js';
export { OAuthTokens } from './token.js';

/** Bitbucket refuses longer keys; HEAD sends every key as its SHA-1 for that reason. */
export const KEY_LIMIT = 40;

export function statusKey(rendered: string): string {
  return rendered.length <= KEY_LIMIT ? rendered : createHash('sha1').update(rendered, 'utf8').digest('hex');
}

export default definePlugin<BitbucketOptions>({
  setup(options, ctx) {
    const baseURL = withoutTrailingSlashes(options.base_url ?? 'https://api.bitbucket.org/2.0/repositories');
    const tokens = options.auth
      ? undefined
      : new OAuthTokens(
          ctx.http,
          {
            oauthURL: options.oauth_url ?? 'https://bitbucket.org/site/oauth2/access_token',
            key: options.oauth_key ?? '',
            secret: options.oauth_secret ?? '',
          },
          ctx.logger,
        );
    const handlers = commitStatusHandlers(ctx, {
      service: 'bitbucket',
      states: bitbucketStates,
      // Buildbot: a falsy key or name means the default; a falsy description means none.
      texts: {
        key: options.status_key || '<%= buildername %>',
        name: options.status_name || '<%= buildername %>',
        start: options.startDescription,
        end: options.endDescription,
      },
      keyOf: statusKey,
      locate(stamp) {
        if (!stamp.repository) {
          ctx.skip(`Empty repository URL for Bitbucket status: ${describeStamp(stamp)}`);
          return undefined;
        }
        const repo = ownerAndRepo(stamp.repository, baseURL);
        if (!repo)
          ctx.skip(
            `Skipped Bitbucket status: OWNER/REPONAME is expected in the repository URL of ${describeStamp(stamp)}`,
          );
        return repo && { ...repo, repository: `${repo.owner}/${repo.repo}` };
      },
      request: (repo, stamp, { state, key, name, url, description }) => ({
        method: 'POST',
        url: urlUnder(baseURL, encodedPath`/${repo.owner}/${repo.repo}/commit/${stamp.revision}/statuses/build`),
        // No credentials: send() adds them at each attempt, so none is kept with a queued delivery.
        headers: { 'Content-Type': 'application/json' },
        body: { state, key, name, url, ...(description ? { description } : {}) },
      }),
    });

    const basic = options.auth && basicAuthorization(options.auth.user, options.auth.password);

    /**
     * The request with its credentials: HTTP Basic, or an OAuth bearer token; a 401 means the
     * token went stale, so one fresh token is tried.
     */
    async function send(delivery: QueuedDelivery, { signal }: SendOptions): Promise<{ status: number }> {
      const request = delivery.payload as HttpRequest;
      if (basic)
        return { status: (await ctx.http.send(withHeaders(request, { Authorization: basic }), { signal })).status };
      if (!tokens) throw new Error('Bitbucket needs auth or oauth_key/oauth_secret');
      const withToken = (token: string): HttpRequest => withHeaders(request, { Authorization: `Bearer ${token}` });
      const token = await tokens.get(signal);
      try {
        return { status: (await ctx.http.send(withToken(token), { signal })).status };
      } catch (error) {
        if (!isHttpError(error) || error.status !== 401) throw error;
        tokens.invalidate(token);
        ctx.logger.info('Bitbucket refused the OAuth token (401); fetching a new one');
        return { status: (await ctx.http.send(withToken(await tokens.get(signal)), { signal })).status };
      }
    }

    return { ...handlers, send };
  },
});
