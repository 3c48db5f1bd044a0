/**
 * @bbreporters/bitbucket: Buildbot's BitbucketStatusPush for Bitbucket Cloud. When a build starts
 * (INPROGRESS) and when it finishes (SUCCESSFUL or FAILED), one build status per source stamp
 * with a revision. The handlers describe each request; `send` adds the OAuth2 token (cached until
 * it expires, fetched again once when Bitbucket answers 401) and lets core's client send it, so
 * retries, Retry-After and order per status stay core's.
 */
import { createHash } from 'node:crypto';
import {
  basicAuthorization,
  bitbucketStates,
  buildLink,
  definePlugin,
  isHttpError,
  sourceStampsWithRevision,
  stateFor,
  withoutTrailingSlashes,
  type BuildPayload,
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
      : new OAuthTokens(ctx.http, { oauthURL: options.oauth_url ?? 'https://bitbucket.org/site/oauth2/access_token', key: options.oauth_key ?? '', secret: options.oauth_secret ?? '' }, ctx.logger);
    const template = (text: string | undefined, fallback: string) => ctx.formatter.create({ template: text || fallback });
    const key = template(options.status_key, '<%= buildername %>');
    const name = template(options.status_name, '<%= buildername %>');
    const descriptions = { start: template(options.startDescription, ''), end: template(options.endDescription, '') };

    async function report(build: BuildPayload, when: 'start' | 'end'): Promise<void> {
      const stamps = sourceStampsWithRevision(build);
      if (stamps.length === 0) return;
      const body = {
        state: stateFor(bitbucketStates, build),
        key: statusKey((await key.formatBuild(build)).body),
        name: (await name.formatBuild(build)).body,
        url: buildLink(build, ctx.config.buildbotURL),
        description: (await descriptions[when].formatBuild(build)).body,
      };
      if (!body.description) delete (body as Partial<typeof body>).description;
      for (const stamp of stamps) {
        if (!stamp.repository) {
          ctx.logger.warn({ build: build.buildid, ssid: stamp.ssid }, 'Empty repository URL for Bitbucket status');
          continue;
        }
        const repo = ownerAndRepo(stamp.repository, baseURL);
        if (!repo) {
          ctx.logger.warn({ build: build.buildid, repository: stamp.repository }, 'Skipped Bitbucket status: OWNER/REPONAME is expected in the repository URL');
          continue;
        }
        const request: HttpRequest = {
          method: 'POST',
          url: `${baseURL}/${encodeURIComponent(repo.owner)}/${encodeURIComponent(repo.repo)}/commit/${encodeURIComponent(stamp.revision)}/statuses/build`,
          headers: { 'Content-Type': 'application/json', ...(options.auth ? { Authorization: basicAuthorization(options.auth.user, options.auth.password) } : {}) },
          body,
        };
        const handle = ctx.deliver({ target: `bitbucket:${repo.owner}/${repo.repo}@${stamp.revision}:${body.key}`, payload: request });
        void handle.settled.then((outcome) => {
          if (outcome.status === 'failed') ctx.logger.error(`unable to upload Bitbucket status "${body.state}" for ${repo.owner}/${repo.repo} at ${stamp.revision}: ${outcome.reason}`);
        });
      }
    }

    /** With OAuth: the request with a bearer token; a 401 means the token went stale, so one fresh token is tried. */
    async function send(delivery: QueuedDelivery, { signal }: SendOptions): Promise<{ status: number }> {
      const request = delivery.payload as HttpRequest;
      if (!tokens) return { status: (await ctx.http.send(request, { signal })).status };
      const withToken = (token: string): HttpRequest => ({ ...request, headers: { ...request.headers, Authorization: `Bearer ${token}` } });
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

    return {
      buildStarted: ({ payload }) => report(payload, 'start'),
      buildFinished: ({ payload }) => report(payload, 'end'),
      send,
    };
  },
});
