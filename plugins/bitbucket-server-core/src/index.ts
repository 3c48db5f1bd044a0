/**
 * @bbreporters/bitbucket-server-core: Buildbot's BitbucketServerCoreAPIStatusPush. When a build
 * starts (INPROGRESS) and when it finishes (SUCCESSFUL or FAILED), one build status per source
 * stamp with a revision through Bitbucket Server's core REST API, with ref, parent, build number,
 * duration and test results; Bearer token or HTTP Basic auth.
 */
import {
  basicAuthorization,
  buildDict,
  commitStatusHandlers,
  definePlugin,
  describeStamp,
  importModuleReference,
  stashStates,
  withHeaders,
  type BuildPayload,
  type MessageFormatter,
} from '@bbreporters/core';
import type { BitbucketServerCoreOptions } from './generated/options.js';
import { defaultName, defaultParent, durationMs, refOf, testResultsOf } from './defaults.js';
import {
  coreStatusRequest,
  projectRepoOf,
  type CoreBuildStatus,
  type ProjectRepo,
  type TestResults,
} from './status.js';

export type { BitbucketServerCoreOptions } from './generated/options.js';
export { defaultName, defaultParent, durationMs, refOf, testResultsOf } from './defaults.js';
export {
  coreStatusRequest,
  projectRepoOf,
  type CoreBuildStatus,
  type ProjectRepo,
  type TestResults,
} from './status.js';

type CoreState = CoreBuildStatus['state'];
type BuildHook<T> = (build: Record<string, unknown>) => T | Promise<T>;

export default definePlugin<BitbucketServerCoreOptions>({
  async setup(options, ctx) {
    const template = (text: string | undefined) => (text ? ctx.formatter.create({ template: text }) : undefined);
    const render = async (formatter: MessageFormatter | undefined, build: BuildPayload) =>
      formatter && (await formatter.formatBuild(build)).body;
    const templates = {
      name: template(options.statusName),
      suffix: template(options.statusSuffix),
      parent: template(options.parentName),
      buildNumber: template(options.buildNumber || "<%= prop('buildnumber') %>"),
      ref: template(options.ref),
    };
    const hook = async <T>(ref: string | undefined) =>
      ref ? await importModuleReference<BuildHook<T>>(ref, ctx.config.configDir) : undefined;
    const durationHook = await hook<number | null>(options.duration);
    const testResultsHook = await hook<TestResults | null>(options.testResults);
    // Buildbot's callables see the build with its properties.
    const dict = (build: BuildPayload) => buildDict(build, { wantProperties: true });

    const handlers = commitStatusHandlers<CoreState, ProjectRepo & { repository: string }>(ctx, {
      service: 'bitbucket-server-core',
      states: stashStates,
      texts: { key: options.key || '<%= buildername %>', start: 'Build started.', end: 'Build done.' },
      withoutRevisionText: 'Unable to get the commit hash',
      locate(stamp) {
        const repo = projectRepoOf(stamp);
        if (!repo)
          ctx.skip(
            `Unable to parse repository info from ${describeStamp(stamp)}: it names no project key and repository slug`,
          );
        return repo && { ...repo, repository: `${repo.projectKey}/${repo.repoSlug}` };
      },
      async request(repo, stamp, { state, key, url, description }, { build }) {
        const ref = (await render(templates.ref, build)) ?? refOf(stamp);
        if (ref === undefined)
          ctx.logger.warn(
            `WARNING: Unable to resolve ref for SSID: ${stamp.ssid}. Build status will not be visible on Builds or PullRequest pages only for commits`,
          );
        const name =
          ((await render(templates.name, build)) || defaultName(build)) +
          ((await render(templates.suffix, build)) ?? '');
        const status = {
          name,
          description: description ?? null,
          key,
          url: url ?? null,
          ref: ref ?? null,
          buildNumber: (await render(templates.buildNumber, build)) ?? '',
          state,
          parent: (await render(templates.parent, build)) || defaultParent(build),
          duration: build.complete && durationHook ? await durationHook(dict(build)) : durationMs(build),
          testResults: build.complete && testResultsHook ? await testResultsHook(dict(build)) : testResultsOf(build),
        };
        const where = `${repo.projectKey}/${repo.repoSlug} ${stamp.revision}`;
        if (options.verbose) ctx.logger.info(`Sending payload: '${JSON.stringify(status)}' for ${where}.`);
        return coreStatusRequest(options.base_url, repo, stamp.revision, status);
      },
    });
    // Credentials are added at each attempt, never kept with a queued delivery.
    const authorization = options.token
      ? `Bearer ${options.token}`
      : options.auth && basicAuthorization(options.auth.user, options.auth.password);
    return {
      ...handlers,
      authorize: (request) => (authorization ? withHeaders(request, { Authorization: authorization }) : request),
    };
  },
});
