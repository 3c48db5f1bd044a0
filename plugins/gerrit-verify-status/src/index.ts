/**
 * @bbreporters/gerrit-verify-status: Buildbot's GerritVerifyStatusPush. When a build starts (value
 * 0, duration `pending`) and when it finishes (1, 0 or -1 and the build's duration), one
 * verification per Gerrit change of the build through the verify-status plugin's REST API, with
 * HTTP Basic auth. Core sends the requests (retries, rate limits, order per verification).
 */
import {
  basicAuthorization,
  buildLink,
  definePlugin,
  defined,
  gerritVerifyValues,
  isInvalidHttpRequestError,
  stateFor,
  withHeaders,
  type BuildPayload,
} from '@bbreporters/core';
import { gerritChangesOf } from './changes.js';
import type { GerritVerifyStatusOptions } from './generated/options.js';
import { formatDuration, verificationRequest, verificationTarget, type Verification } from './verification.js';

export type { GerritVerifyStatusOptions } from './generated/options.js';
export { gerritChangesOf, type VerifiedChange } from './changes.js';
export {
  formatDuration,
  verificationRequest,
  verificationTarget,
  type Verification,
  type VerifyInput,
} from './verification.js';

export default definePlugin<GerritVerifyStatusOptions>({
  setup(options, ctx) {
    const template = (text: string) => ctx.formatter.create({ template: text });
    // Buildbot takes a falsy argument for its default.
    const texts = {
      name: template(options.verification_name || '<%= buildername %>'),
      reporter: template(options.reporter || 'buildbot'),
      category: options.category ? template(options.category) : undefined,
      start: template(options.startDescription || 'Build started.'),
      end: template(options.endDescription || 'Build done.'),
    };

    async function verification(build: BuildPayload, when: 'start' | 'end'): Promise<[string, Verification]> {
      const render = async (formatter: typeof texts.name) => (await formatter.formatBuild(build)).body;
      const duration =
        when === 'start'
          ? 'pending'
          : typeof build.complete_at === 'number' && typeof build.started_at === 'number'
            ? formatDuration(build.complete_at - build.started_at)
            : undefined;
      return [
        await render(texts.name),
        {
          value: stateFor(gerritVerifyValues, build),
          abstain: options.abstain ?? false,
          comment: await render(texts[when]),
          ...defined({ url: buildLink(build, ctx.config.buildbotURL) }),
          reporter: await render(texts.reporter),
          ...defined({ category: texts.category && (await render(texts.category)), duration }),
        },
      ];
    }

    async function report(build: BuildPayload, when: 'start' | 'end'): Promise<void> {
      const found = gerritChangesOf(build);
      if ('reason' in found) {
        ctx.skip(found.reason);
        return;
      }
      const [name, result] = await verification(build, when);
      for (const change of found.changes) {
        try {
          // Event data is hostile: a change or revision that would move the request (and the
          // credentials) off the configured base throws here and gets no verification.
          const payload = verificationRequest(options.baseURL, change, name, result);
          if (options.verbose)
            ctx.logger.info(
              `Sending Gerrit status for ${change.change_id}/${change.revision_id}: data=${JSON.stringify(payload.body)}`,
            );
          ctx.deliver({ target: verificationTarget(change, name), payload });
        } catch (error) {
          if (!isInvalidHttpRequestError(error)) throw error;
          ctx.skip(`change ${JSON.stringify(change.change_id)}: ${error.message}`);
        }
      }
    }

    // The password is added at each attempt, never kept with a queued delivery.
    const authorization = basicAuthorization(options.auth.user, options.auth.password);
    return {
      buildStarted: ({ payload }) => report(payload, 'start'),
      buildFinished: ({ payload }) => report(payload, 'end'),
      authorize: (request) => withHeaders(request, { Authorization: authorization }),
    };
  },
});
