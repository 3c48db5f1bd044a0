/**
 * @bbreporters/gerrit: Buildbot's GerritStatusPush. The handlers decide (startCB on build start,
 * reviewCB on build end, summaryCB on buildset end; by default one summary per buildset) and
 * deliver one review per Gerrit change: over SSH the payload is the exact `gerrit review`
 * command string, over REST the request; `send` runs the SSH command (REST goes through core's
 * HTTP sender).
 */
import {
  basicAuthorization,
  definePlugin,
  withHeaders,
  type BuildPayload,
  type HttpRequest,
  type PluginContext,
  type QueuedDelivery,
  type SendOptions,
} from '@bbreporters/core';
import { resolveCallbacks } from './callbacks.js';
import { changesOf, targetOf, type GerritChange } from './change.js';
import type { GerritOptions } from './generated/options.js';
import { reviewRequest, type ReviewRequest } from './rest.js';
import { checkResult, type CheckedReview } from './review.js';
import { adaptCommand, reviewCommand, VERSION_COMMAND } from './ssh-command.js';
import { GerritSshError, runGerrit, sshSettings } from './ssh-transport.js';
import { formatVersion, parseVersion, VersionCache, type GerritVersion } from './version.js';

export type { GerritOptions, ReviewRule } from './generated/options.js';
export { defaultReviewCB, defaultSummaryCB, resultText, type BuildInfo } from './defaults.js';
export { defaultStartCB, type ReviewCallback, type StartCallback, type SummaryCallback } from './callbacks.js';
export { makeReviewResult, GERRIT_LABEL_REVIEWED, GERRIT_LABEL_VERIFIED, type ReviewResult } from './review.js';
export { splitGerritCommand, quoteWord } from './quoting.js';
export type { ReviewRequest } from './rest.js';

/** How reviews travel: what a handler delivers, and (SSH only) how it is sent. */
interface Transport {
  payload(change: GerritChange, review: CheckedReview, signal: AbortSignal): Promise<string | ReviewRequest>;
  send?: (delivery: QueuedDelivery, options: SendOptions) => Promise<void>;
  /** (REST) adds the HTTP credentials at each attempt, so none is kept with a queued delivery. */
  authorize?: (request: HttpRequest) => HttpRequest;
}

function sshTransport(options: GerritOptions, ctx: PluginContext): Transport {
  const settings = sshSettings(options, ctx.config.configDir);
  if (!settings.checkHostKey)
    ctx.logger.warn(
      "check_host_key is false: the Gerrit server's host key is not checked (anyone in the middle can answer)",
    );
  const pinned = options.gerrit_version ? parseVersion(options.gerrit_version) : undefined;
  const versions = new VersionCache(async (signal) => (await runGerrit(settings, VERSION_COMMAND, signal)).stdout);
  const notify = options.notify;
  // Below the default handler timeout (30 s): a server that never answers must not cost the review.
  const askTimeoutMs = Math.min(settings.connectTimeoutSec * 1000 + 5000, 20_000);

  return {
    async payload(change, review, signal) {
      let version: GerritVersion | undefined = pinned;
      // A preview talks to no server: it shows the newest syntax, which send() adapts to the server's version.
      if (!version && !ctx.config.dryRun) {
        try {
          version = await versions.get(AbortSignal.any([signal, AbortSignal.timeout(askTimeoutMs)]));
        } catch (error) {
          ctx.logger.warn(
            { err: error },
            'could not learn the Gerrit version: the review is written for Gerrit 2.13 or later and adapted when it is sent',
          );
        }
      }
      return reviewCommand(
        change,
        review,
        { ...(version ? { version } : {}), ...(notify ? { notify } : {}) },
        ctx.logger,
      );
    },
    async send(delivery, { signal }) {
      if (typeof delivery.payload !== 'string')
        throw Object.assign(new Error('a Gerrit SSH delivery must be a command string'), { retryable: false });
      let command = delivery.payload;
      if (!pinned) {
        let version: GerritVersion | undefined;
        try {
          version = await versions.get(signal);
        } catch (error) {
          // ssh failed (server down, key refused…): this attempt fails with its reason. A server
          // that answers oddly: the review goes as built, for a new Gerrit.
          if (error instanceof GerritSshError) throw error;
          ctx.logger.error({ err: error }, 'Error: Cannot interpret gerrit version info; sending the review as built');
        }
        if (version) {
          const adapted = adaptCommand(command, version, ctx.logger);
          if (adapted !== command)
            ctx.logger.info(
              { version: formatVersion(version), command: adapted },
              "review rewritten for the server's Gerrit version",
            );
          command = adapted;
        }
      }
      const { stdout, stderr } = await runGerrit(settings, command, signal);
      ctx.logger.info(
        {
          target: delivery.target,
          ...(stdout.trim() ? { gerritout: stdout.trim() } : {}),
          ...(stderr.trim() ? { gerriterr: stderr.trim() } : {}),
        },
        'gerrit status: OK',
      );
    },
  };
}

function restTransport(options: GerritOptions): Transport {
  if (!options.baseURL || !options.http_password) throw new Error('transport rest needs baseURL and http_password');
  const settings = { baseURL: options.baseURL, ...(options.notify ? { notify: options.notify } : {}) };
  const authorization = basicAuthorization(options.username, options.http_password);
  return {
    payload: async (change, review) => reviewRequest(settings, change, review),
    authorize: (request) => withHeaders(request, { Authorization: authorization }),
  };
}

export default definePlugin<GerritOptions>({
  async setup(options, ctx) {
    const callbacks = await resolveCallbacks(options, ctx);
    const transport = options.transport === 'rest' ? restTransport(options) : sshTransport(options, ctx);

    /** Checks a callback's answer and delivers one review per Gerrit change of `build`. */
    async function post(
      build: BuildPayload,
      answer: () => Promise<unknown>,
      what: string,
      signal: AbortSignal,
    ): Promise<void> {
      const found = changesOf(build);
      if ('reason' in found) {
        ctx.logger.debug({ build: build.buildid, callback: what }, `no review: ${found.reason}`);
        return;
      }
      const review = checkResult(await answer(), what, ctx.logger);
      if (review.message === null || (review.message === '' && review.labels.length === 0)) {
        ctx.logger.debug({ build: build.buildid, callback: what }, 'no review: the callback gave no message');
        return;
      }
      for (const change of found.changes) {
        ctx.deliver({
          target: targetOf(change),
          payload: await transport.payload(change, review, signal),
          supersede: false,
        });
      }
    }

    return {
      buildStarted: async ({ payload }, { signal }) => {
        const start = callbacks.start;
        if (start) await post(payload, () => start(payload), 'startCB', signal);
      },
      buildFinished: async ({ payload }, { signal }) => {
        const review = callbacks.review;
        if (review) await post(payload, () => review(payload), 'reviewCB', signal);
      },
      buildsetFinished: async ({ payload }, { signal }) => {
        const summary = callbacks.summary;
        // Core's filters (builders, tags, …) decided the buildset is reported; the summary covers only the builds they let through.
        const builds = ctx.reportedBuilds(payload);
        if (!summary || builds.length === 0) return;
        await post(builds[0], () => summary(payload, builds), 'summaryCB', signal);
      },
      ...(transport.send ? { send: transport.send } : {}),
      ...(transport.authorize ? { authorize: transport.authorize } : {}),
    };
  },
});
