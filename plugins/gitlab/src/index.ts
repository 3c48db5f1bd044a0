/**
 * @bbreporters/gitlab: Buildbot's GitLabStatusPush. When a build starts (`running`) and when it
 * finishes (`success`, `failed`, `canceled`), one commit status per source stamp with a revision,
 * posted to the project looked up once per repository. Core sends, retries and orders them.
 */
import { buildLink, definePlugin, gitlabStates, propertyValue, sourceStampsWithRevision, stateFor, withoutTrailingSlashes, type BuildPayload, type HttpRequest } from '@bbreporters/core';
import type { GitLabOptions } from './generated/options.js';
import { ProjectIds, projectPath } from './project.js';

export type { GitLabOptions } from './generated/options.js';
export { ProjectIds, projectPath } from './project.js';

export default definePlugin<GitLabOptions>({
  setup(options, ctx) {
    const apiURL = `${withoutTrailingSlashes(options.baseURL ?? 'https://gitlab.com')}/api/v4`;
    const projects = new ProjectIds(ctx.http, apiURL, options.token, ctx.logger);
    // Buildbot: a falsy context or description means the default.
    const template = (text: string | undefined, fallback: string) => ctx.formatter.create({ template: text || fallback });
    const context = template(options.context, 'buildbot/<%= buildername %>');
    const descriptions = { start: template(options.startDescription, 'Build started.'), end: template(options.endDescription, 'Build done.') };

    async function report(build: BuildPayload, when: 'start' | 'end', signal: AbortSignal): Promise<void> {
      const stamps = sourceStampsWithRevision(build);
      if (stamps.length === 0) return;
      const name = (await context.formatBuild(build)).body;
      const description = (await descriptions[when].formatBuild(build)).body;
      const state = stateFor(gitlabStates, build);
      const target_url = buildLink(build, ctx.config.buildbotURL);
      const forkProject = propertyValue(build, 'source_project_id');
      const ref = propertyValue(build, 'source_branch');
      for (const stamp of stamps) {
        const fork = forkProject !== undefined && forkProject !== null ? String(forkProject) : undefined;
        const id = fork ?? (await projects.idOf(stamp, signal));
        if (id === undefined) {
          if (stamp.repository) ctx.logger.warn({ build: build.buildid, repository: stamp.repository }, 'Skipped status update: the repository URL names no GitLab project (group/project)');
          continue;
        }
        const branch = typeof ref === 'string' ? ref : stamp.branch;
        const request: HttpRequest = {
          method: 'POST',
          url: `${apiURL}/projects/${id}/statuses/${encodeURIComponent(stamp.revision)}`,
          headers: { 'PRIVATE-TOKEN': options.token, 'Content-Type': 'application/json' },
          body: { state, ...(target_url ? { target_url } : {}), ...(branch ? { ref: branch } : {}), description, name },
        };
        const where = `${stamp.repository} at ${stamp.revision}`;
        // The target names the project the same way whether its id was known or not, so statuses stay in order.
        const handle = ctx.deliver({ target: `gitlab:${fork ?? projectPath(stamp.repository)}@${stamp.revision}:${name}`, payload: request });
        void handle.settled.then((outcome) => {
          if (outcome.status === 'failed') ctx.logger.error(`Could not send status "${state}" for ${where}: ${outcome.reason}`);
          else if (outcome.status === 'sent' && options.verbose) ctx.logger.info(`Status "${state}" sent for ${where}.`);
        });
      }
    }

    return {
      buildStarted: ({ payload }, { signal }) => report(payload, 'start', signal),
      buildFinished: ({ payload }, { signal }) => report(payload, 'end', signal),
    };
  },
});
