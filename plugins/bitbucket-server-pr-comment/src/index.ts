/**
 * @bbreporters/bitbucket-server-pr-comment: Buildbot's BitbucketServerPRCommentPush. A finished
 * build (or, with buildSetSummary, a finished buildset) that passes the mail-like filters gets its
 * formatted message as a comment on each pull request its `pullrequesturl` property names. Core
 * filters events (mode, builders, tags, schedulers, branches) and retries failed sends.
 */
import {
  basicAuthorization,
  definePlugin,
  isInvalidHttpRequestError,
  propertyValue,
  redactUrl,
  withHeaders,
  type BuildPayload,
} from '@bbreporters/core';
import type { BitbucketServerPRCommentOptions } from './generated/options.js';
import { commentRequest, pullRequestOf } from './pull-request.js';

export type { BitbucketServerPRCommentOptions } from './generated/options.js';
export { commentRequest, pullRequestOf, type PullRequest } from './pull-request.js';

export default definePlugin<BitbucketServerPRCommentOptions>({
  setup(options, ctx) {
    const formatter = ctx.formatter.create(options.messageFormatter ?? {});
    const summary = options.buildSetSummary ?? false;

    /** One comment with `text` on each distinct pull request of `builds`; a build without one is skipped with the reason. */
    function comment(builds: BuildPayload[], text: string): void {
      const urls = new Set<string>();
      for (const build of builds) {
        const url = propertyValue(build, 'pullrequesturl');
        if (typeof url === 'string' && url !== '') urls.add(url);
        else
          ctx.skip(
            `build ${build.number} of ${build.builder.name} has no pullrequesturl property (set by Buildbot's Bitbucket Server change hook): no pull request to comment on`,
          );
      }
      if (urls.size > 0 && text === '') {
        ctx.skip('the message formatter gave an empty text: no comment');
        return;
      }
      for (const url of urls) {
        const pr = pullRequestOf(url, options.base_url);
        if ('refused' in pr) {
          ctx.skip(`Skipped comment: ${pr.refused}`);
          continue;
        }
        try {
          const request = commentRequest(options.base_url, pr, text);
          // Comments must all arrive, in order: a newer one never supersedes an older one.
          ctx.deliver({
            target: `bitbucket-server-pr-comment:${pr.projectKey}/${pr.repoSlug}#${pr.id}`,
            payload: request,
            supersede: false,
          });
          if (options.verbose) ctx.logger.info(`Comment for ${redactUrl(url)} handed to delivery`);
        } catch (error) {
          if (!isInvalidHttpRequestError(error)) throw error;
          ctx.skip(`Skipped comment: pullrequesturl ${redactUrl(url)}: ${error.message}`);
        }
      }
    }

    // The password is added at each attempt, never kept with a queued delivery.
    const authorization = basicAuthorization(options.user, options.password);
    return {
      buildFinished: async ({ payload }) => {
        if (summary) ctx.skip('buildSetSummary is on: one comment per finished buildset, none per build');
        else comment([payload], (await formatter.formatBuild(payload)).body);
      },
      buildsetFinished: async ({ payload }) => {
        if (!summary) {
          ctx.skip('buildSetSummary is off: one comment per finished build, none per buildset');
          return;
        }
        const builds = formatter.reportedBuilds(payload);
        comment(builds, (await formatter.formatBuildset(payload, { builds })).body);
      },
      authorize: (request) => withHeaders(request, { Authorization: authorization }),
      // The default body lists the build's steps and logs' URLs and the previous build's result.
      needs: ['blamelist', 'changes', 'prev_build', 'steps', 'logs'],
    };
  },
});
