/**
 * @bbreporters/github: Buildbot's GitHubStatusPush. When a build starts and when it finishes,
 * one commit status per source stamp with a revision: pending at start, then success, failure or
 * error. Core sends the requests (retries, rate limits, order per status context).
 */
import { buildLink, definePlugin, githubStates, sourceStampsWithRevision, stateFor, withoutTrailingSlashes, type BuildPayload } from '@bbreporters/core';
import type { GitHubOptions } from './generated/options.js';
import { repoOf } from './repo.js';
import { statusRequest, statusTarget } from './status.js';

export type { GitHubOptions } from './generated/options.js';
export { repoOf, type GitHubRepo } from './repo.js';
export { cutDescription, DESCRIPTION_LIMIT, statusRequest, statusTarget, type CommitStatus } from './status.js';

export default definePlugin<GitHubOptions>({
  setup(options, ctx) {
    const baseURL = withoutTrailingSlashes(options.baseURL ?? 'https://api.github.com');
    // Buildbot: a falsy context or description means the default.
    const template = (text: string | undefined, fallback: string) => ctx.formatter.create({ template: text || fallback });
    const context = template(options.context, 'buildbot/<%= buildername %>');
    const descriptions = { start: template(options.startDescription, 'Build started.'), end: template(options.endDescription, 'Build done.') };

    async function report(build: BuildPayload, when: 'start' | 'end'): Promise<void> {
      const stamps = sourceStampsWithRevision(build);
      if (stamps.length === 0) return;
      const name = (await context.formatBuild(build)).body;
      const description = (await descriptions[when].formatBuild(build)).body;
      const state = stateFor(githubStates, build);
      const target_url = buildLink(build, ctx.config.buildbotURL);
      for (const stamp of stamps) {
        const repo = repoOf(stamp);
        if (!repo) {
          ctx.logger.warn({ build: build.buildid, repository: stamp.repository, project: stamp.project }, 'Skipped status update because required repo information is missing.');
          continue;
        }
        const where = `${repo.owner}/${repo.repo} at ${stamp.revision}, context "${name}"`;
        if (options.verbose) ctx.logger.info(`Updating github status: repo_owner=${repo.owner}, repo_name=${repo.repo}`);
        const request = statusRequest(baseURL, options.token, repo, stamp.revision, { state, ...(target_url ? { target_url } : {}), description, context: name });
        const handle = ctx.deliver({ target: statusTarget(repo, stamp.revision, name), payload: request });
        void handle.settled.then((outcome) => {
          if (outcome.status === 'failed') ctx.logger.error(`Failed to update "${state}" for ${where}: ${outcome.reason}`);
          else if (outcome.status === 'sent' && options.verbose) ctx.logger.info(`Updated status with "${state}" for ${where}.`);
        });
      }
    }

    return {
      buildStarted: ({ payload }) => report(payload, 'start'),
      buildFinished: ({ payload }) => report(payload, 'end'),
    };
  },
});
