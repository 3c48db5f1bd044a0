/**
 * @bbreporters/github-comment: Buildbot's GitHubCommentPush. When a build of a pull request
 * finishes (and, if `startDescription` is set, when it starts), one comment on the pull request
 * per repository of its source stamps with a revision. Core sends the requests (retries, rate
 * limits, order per pull request); no comment ever replaces another.
 */
import {
  definePlugin,
  describeStamp,
  githubRepoOf,
  isInvalidHttpRequestError,
  sourceStampsWithRevision,
  withHeaders,
  withoutTrailingSlashes,
  type BuildPayload,
  type MessageFormatter,
} from '@bbreporters/core';
import type { GitHubCommentOptions } from './generated/options.js';
import { commentRequest, commentTarget } from './comment.js';
import { pullRequestNumber } from './pull-request.js';

export type { GitHubCommentOptions } from './generated/options.js';
export { commentRequest, commentTarget, COMMENT_LIMIT } from './comment.js';
export { pullRequestNumber } from './pull-request.js';

export default definePlugin<GitHubCommentOptions>({
  setup(options, ctx) {
    const baseURL = withoutTrailingSlashes(options.baseURL ?? 'https://api.github.com');
    const template = (text: string | undefined) => (text ? ctx.formatter.create({ template: text }) : undefined);
    // Buildbot: no start comment by default; an empty end text means the default.
    const start = template(options.startDescription);
    const end = template(options.endDescription || 'Build done.')!;

    async function comment(build: BuildPayload, formatter: MessageFormatter): Promise<void> {
      const stamps = sourceStampsWithRevision(build);
      if (stamps.length === 0) {
        ctx.skip('the build names no commit (no source stamp with a revision): no pull request to comment on');
        return;
      }
      const issue = pullRequestNumber(build);
      if (issue === undefined) {
        ctx.skip(
          `Skipped status update for ${describeStamp(stamps[0])} as issue is not specified: the build is no pull request's (branch property refs/pull/<n>/head or /merge, or a pullrequesturl property)`,
        );
        return;
      }
      const { body } = await formatter.formatBuild(build);
      // Buildbot comments once per source stamp; stamps of one repository get one comment here.
      const targets = new Set<string>();
      for (const stamp of stamps) {
        const repo = githubRepoOf(stamp);
        if (!repo) {
          ctx.skip(`${describeStamp(stamp)} names no GitHub owner/repo: no pull request to comment on`);
          continue;
        }
        const target = commentTarget(repo, issue);
        if (targets.has(target)) continue;
        targets.add(target);
        try {
          const payload = commentRequest(baseURL, repo, issue, body);
          if (options.verbose) ctx.logger.info(`Commenting on ${repo.owner}/${repo.repo}#${issue}`);
          ctx.deliver({ target, payload, supersede: false });
        } catch (error) {
          // Event data is hostile: a repository that would move the request off the configured API gets no comment.
          if (!isInvalidHttpRequestError(error)) throw error;
          ctx.skip(`Skipped comment: ${describeStamp(stamp)}: ${error.message}`);
        }
      }
    }

    return {
      buildStarted: async ({ payload }) => {
        if (start) await comment(payload, start);
        else ctx.skip('no startDescription: no comment when a build starts (the default, as in Buildbot)');
      },
      buildFinished: ({ payload }) => comment(payload, end),
      // The token is added at each attempt, never kept with a queued delivery.
      authorize: (request) => withHeaders(request, { Authorization: `token ${options.token}` }),
    };
  },
});
