/**
 * @bbreporters/gitea: GiteaStatusPush of the buildbot-gitea plugin. When a build starts and when it
 * finishes, one commit status per source stamp with a revision: pending, then success, warning,
 * failure or error. Pull-request builds set it on the head commit in the head repository, under
 * their own context. Core sends the requests (retries, rate limits, order per status context).
 */
import {
  commitStatusHandlers,
  contextTexts,
  definePlugin,
  describeStamp,
  encodedPath,
  giteaStates,
  urlUnder,
  withHeaders,
  withoutTrailingSlashes,
  type BuildPayload,
  type StatusTexts,
} from '@bbreporters/core';
import type { GiteaOptions } from './generated/options.js';
import { giteaRepoOf, isPullRequestBuild } from './repo.js';

export type { GiteaOptions } from './generated/options.js';
export { giteaRepoOf, isPullRequestBuild, type GiteaRepo, type GiteaLocation } from './repo.js';

export default definePlugin<GiteaOptions>({
  setup(options, ctx) {
    const apiURL = `${withoutTrailingSlashes(options.baseURL)}/api/v1`;
    const states = options.warningAsSuccess
      ? { ...giteaStates, results: { ...giteaStates.results, WARNINGS: 'success' as const } }
      : giteaStates;
    const handlersWith = (texts: StatusTexts) =>
      commitStatusHandlers(ctx, {
        service: 'gitea',
        states,
        texts,
        locate(stamp, { build }) {
          const location = giteaRepoOf(build, stamp);
          if ('missing' in location) {
            ctx.skip(`${describeStamp(stamp)}: ${location.missing}`);
            return undefined;
          }
          const { owner, repo, revision } = location.found;
          return { owner, repo, repository: `${owner}/${repo}`, ...(revision ? { revision } : {}) };
        },
        request({ owner, repo, repository }, { revision }, { state, url, description, key }) {
          if (options.verbose) ctx.logger.info(`Sending status "${state}" for ${repository} at ${revision}.`);
          return {
            method: 'POST',
            url: urlUnder(apiURL, encodedPath`/repos/${owner}/${repo}/statuses/${revision}`),
            // No credentials: authorize() adds them when the request is sent.
            headers: { 'Content-Type': 'application/json' },
            body: { state, ...(url ? { target_url: url } : {}), description, context: key },
          };
        },
      });
    const texts = contextTexts(options);
    const plain = handlersWith(texts);
    const pullRequest = handlersWith({
      ...texts,
      key: options.context_pr || 'buildbot/pull_request/<%= buildername %>',
    });
    // Whether a build is a pull request's is known per build: it picks the context.
    const pick = (build: BuildPayload) => (isPullRequestBuild(build) ? pullRequest : plain);
    return {
      buildStarted: (event, handler) => pick(event.payload).buildStarted(event, handler),
      buildFinished: (event, handler) => pick(event.payload).buildFinished(event, handler),
      // The token is added at each attempt, never kept with a queued delivery.
      authorize: (request) => withHeaders(request, { Authorization: `token ${options.token}` }),
    };
  },
});
