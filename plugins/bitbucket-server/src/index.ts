/**
 * @bbreporters/bitbucket-server: Buildbot's StashStatusPush / BitbucketServerStatusPush. When a
 * build starts (INPROGRESS) and when it finishes (SUCCESSFUL or FAILED), one build status per
 * source stamp with a revision, through the build-status REST API with HTTP Basic auth.
 */
import {
  withHeaders,
  basicAuthorization,
  commitStatusHandlers,
  definePlugin,
  encodedPath,
  urlUnder,
  parseRepositoryUrl,
  stashStates,
  type HttpRequest,
} from '@bbreporters/core';
import type { BitbucketServerOptions } from './generated/options.js';

export type { BitbucketServerOptions } from './generated/options.js';

export interface BuildStatus {
  state: 'INPROGRESS' | 'SUCCESSFUL' | 'FAILED';
  key: string;
  url?: string;
  name?: string;
  description?: string;
}

/** `POST <base_url>/rest/build-status/1.0/commits/<sha>` (stash.md §2). */
export function buildStatusRequest(baseURL: string, sha: string, status: BuildStatus): HttpRequest {
  return {
    method: 'POST',
    url: urlUnder(baseURL, encodedPath`/rest/build-status/1.0/commits/${sha}`),
    // No credentials: the reporter's authorize() adds them when the request is sent.
    headers: { 'Content-Type': 'application/json' },
    body: status,
  };
}

/** How a target names the repository: `PRJ/repo` from any clone URL (https's `/scm` dropped); empty when it names none. */
function repositoryName(repository: string): string {
  return parseRepositoryUrl(repository, { stripPrefix: '/scm' })?.path ?? '';
}

export default definePlugin<BitbucketServerOptions>({
  setup(options, ctx) {
    const handlers = commitStatusHandlers(ctx, {
      service: 'bitbucket-server',
      states: stashStates,
      // A falsy key means the default; an empty description or name means none.
      texts: {
        key: options.key || '<%= buildername %>',
        name: options.statusName,
        start: options.startDescription ?? 'Build started.',
        end: options.endDescription ?? 'Build done.',
      },
      withoutRevisionText: 'Unable to get the commit hash',
      // Bitbucket Server keeps statuses per commit, whatever the repository: every stamp gets one.
      locate: (stamp) => ({ repository: repositoryName(stamp.repository) }),
      request: (_repository, stamp, { state, key, url, name, description }) =>
        buildStatusRequest(options.base_url, stamp.revision, {
          state,
          key,
          ...(url ? { url } : {}),
          ...(name ? { name } : {}),
          ...(description ? { description } : {}),
        }),
    });
    // Basic credentials are added at each attempt, never kept with a queued delivery.
    const authorization = basicAuthorization(options.user, options.password);
    return { ...handlers, authorize: (request) => withHeaders(request, { Authorization: authorization }) };
  },
});
