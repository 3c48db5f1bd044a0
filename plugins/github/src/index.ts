/**
 * @bbreporters/github: Buildbot's GitHubStatusPush. When a build starts and when it finishes,
 * one commit status per source stamp with a revision: pending at start, then success, failure or
 * error. Core sends the requests (retries, rate limits, order per status context).
 */
import {
  commitStatusHandlers,
  contextTexts,
  definePlugin,
  describeStamp,
  githubRepoOf,
  githubStates,
  withHeaders,
  withoutTrailingSlashes,
} from '@bbreporters/core';
import type { GitHubOptions } from './generated/options.js';
import { statusRequest } from './status.js';

export type { GitHubOptions } from './generated/options.js';
// Kept under its first name: the parsing moved to core's kit, shared with @bbreporters/github-comment.
export { githubRepoOf as repoOf, type GitHubRepo } from '@bbreporters/core';
export { cutDescription, DESCRIPTION_LIMIT, statusRequest, statusTarget, type CommitStatus } from './status.js';

export default definePlugin<GitHubOptions>({
  setup(options, ctx) {
    const baseURL = withoutTrailingSlashes(options.baseURL ?? 'https://api.github.com');
    const handlers = commitStatusHandlers(ctx, {
      service: 'github',
      states: githubStates,
      texts: contextTexts(options),
      locate(stamp) {
        const repo = githubRepoOf(stamp);
        if (!repo)
          ctx.skip(
            `${describeStamp(stamp)} names no GitHub owner/repo (in its repository URL, or a project written owner/repo). Skipped status update because required repo information is missing.`,
          );
        return repo && { ...repo, repository: `${repo.owner}/${repo.repo}` };
      },
      request(repo, stamp, { state, url, description, key }) {
        if (options.verbose)
          ctx.logger.info(`Updating github status: repo_owner=${repo.owner}, repo_name=${repo.repo}`);
        return statusRequest(baseURL, repo, stamp.revision, {
          state,
          ...(url ? { target_url: url } : {}),
          description,
          context: key,
        });
      },
    });
    // The token is added at each attempt, never kept with a queued delivery.
    return { ...handlers, authorize: (request) => withHeaders(request, { Authorization: `token ${options.token}` }) };
  },
});
