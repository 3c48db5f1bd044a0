/**
 * @bbreporters/bitbucket-server: Buildbot's StashStatusPush / BitbucketServerStatusPush. When a
 * build starts (INPROGRESS) and when it finishes (SUCCESSFUL or FAILED), one build status per
 * source stamp with a revision, through the build-status REST API with HTTP Basic auth.
 */
import { basicAuthorization, buildLink, definePlugin, sourceStampsWithRevision, stashStates, stateFor, withoutTrailingSlashes, type BuildPayload, type HttpRequest } from '@bbreporters/core';
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
export function buildStatusRequest(baseURL: string, user: string, password: string, sha: string, status: BuildStatus): HttpRequest {
  return {
    method: 'POST',
    url: `${withoutTrailingSlashes(baseURL)}/rest/build-status/1.0/commits/${encodeURIComponent(sha)}`,
    headers: { Authorization: basicAuthorization(user, password), 'Content-Type': 'application/json' },
    body: status,
  };
}

export default definePlugin<BitbucketServerOptions>({
  setup(options, ctx) {
    const template = (text: string | undefined) => (text ? ctx.formatter.create({ template: text }) : undefined);
    const key = template(options.key || '<%= buildername %>')!;
    const name = template(options.statusName);
    const descriptions = { start: template(options.startDescription ?? 'Build started.'), end: template(options.endDescription ?? 'Build done.') };

    async function report(build: BuildPayload, when: 'start' | 'end'): Promise<void> {
      for (const stamp of build.buildset?.sourcestamps ?? []) {
        if (!stamp.revision) ctx.logger.info({ build: build.buildid, ssid: stamp.ssid, repository: stamp.repository }, 'Unable to get the commit hash');
      }
      const stamps = sourceStampsWithRevision(build);
      if (stamps.length === 0) return;
      const url = buildLink(build, ctx.config.buildbotURL);
      const statusName = name && (await name.formatBuild(build)).body;
      const description = descriptions[when] && (await descriptions[when].formatBuild(build)).body;
      const status: BuildStatus = {
        state: stateFor(stashStates, build),
        key: (await key.formatBuild(build)).body,
        ...(url ? { url } : {}),
        ...(statusName ? { name: statusName } : {}),
        ...(description ? { description } : {}),
      };
      for (const stamp of stamps) {
        const handle = ctx.deliver({ target: `bitbucket-server:${stamp.revision}:${status.key}`, payload: buildStatusRequest(options.base_url, options.user, options.password, stamp.revision, status) });
        void handle.settled.then((outcome) => {
          if (outcome.status === 'failed') ctx.logger.error(`Unable to send Bitbucket Server status "${status.state}" for ${stamp.repository} at ${stamp.revision}: ${outcome.reason}`);
          else if (outcome.status === 'sent' && options.verbose) ctx.logger.info(`Status "${status.state}" sent for ${stamp.revision}.`);
        });
      }
    }

    return {
      buildStarted: ({ payload }) => report(payload, 'start'),
      buildFinished: ({ payload }) => report(payload, 'end'),
    };
  },
});
