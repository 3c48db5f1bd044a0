/**
 * @bbreporters/gitlab: Buildbot's GitLabStatusPush. When a build starts (`running`) and when it
 * finishes (`success`, `failed`, `canceled`), one commit status per source stamp with a revision,
 * posted to the project looked up once per repository. Core sends, retries and orders them.
 */
import {
  withHeaders,
  commitStatusHandlers,
  contextTexts,
  definePlugin,
  describeStamp,
  encodedPath,
  urlUnder,
  gitlabStates,
  propertyValue,
  withoutTrailingSlashes,
} from '@bbreporters/core';
import type { GitLabOptions } from './generated/options.js';
import { ProjectIds, projectPath } from './project.js';

export type { GitLabOptions } from './generated/options.js';
export { ProjectIds, projectPath } from './project.js';

export default definePlugin<GitLabOptions>({
  setup(options, ctx) {
    const apiURL = `${withoutTrailingSlashes(options.baseURL ?? 'https://gitlab.com')}/api/v4`;
    const projects = new ProjectIds(ctx.http, apiURL, options.token, ctx.logger);
    const handlers = commitStatusHandlers(ctx, {
      service: 'gitlab',
      states: gitlabStates,
      texts: contextTexts(options),
      async locate(stamp, { build, signal }) {
        const source = propertyValue(build, 'source_branch');
        const ref = typeof source === 'string' ? source : stamp.branch;
        // A merge request from a fork names its project. The target names a project the same way
        // whether its id is known yet or not, so its statuses stay in order.
        const fork = propertyValue(build, 'source_project_id');
        if (fork !== undefined && fork !== null) return { repository: String(fork), project: String(fork), ref };
        const path = projectPath(stamp.repository);
        if (!path) {
          ctx.skip(
            `Skipped status update: ${describeStamp(stamp)}: the repository URL names no GitLab project (group/project)`,
          );
          return undefined;
        }
        const project = await projects.idOf(path, signal);
        if (project === undefined)
          ctx.skip(`${describeStamp(stamp)}: GitLab does not know the project ${path} (or the token cannot see it)`);
        return project === undefined ? undefined : { repository: path, project, ref };
      },
      request: ({ project, ref }, stamp, { state, url, description, key }) => ({
        method: 'POST',
        url: urlUnder(apiURL, encodedPath`/projects/${project}/statuses/${stamp.revision}`),
        headers: { 'Content-Type': 'application/json' },
        body: { state, ...(url ? { target_url: url } : {}), ...(ref ? { ref } : {}), description, name: key },
      }),
    });
    // The token is added at each attempt, never kept with a queued delivery.
    return { ...handlers, authorize: (request) => withHeaders(request, { 'PRIVATE-TOKEN': options.token }) };
  },
});
