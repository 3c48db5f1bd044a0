/**
 * @bbreporters/teams: build results as Adaptive Cards in a Microsoft Teams channel, through a
 * Workflows webhook (Power Automate's "Post to a channel when a webhook request is received").
 * Office 365 connector webhooks are retired, so this is the way a Teams channel takes messages.
 * A webhook returns no message id: a started build gets one card, its finish a second one. Core
 * filters events (mode, builders, tags, schedulers, branches) and retries: 429 and 5xx with
 * back-off (Retry-After when Teams sends it), other 4xx are final.
 */
import { buildSummary, definePlugin, maskedWebhookUrl, toWebhook, type BuildPayload } from '@bbreporters/core';
import type { TeamsOptions } from './generated/options.js';
import { teamsMessage } from './card.js';

export type { TeamsOptions } from './generated/options.js';
export { teamsMessage, MAX_BODY_BYTES, type AdaptiveCard, type TeamsMessage } from './card.js';
export { literal } from './markdown.js';

export default definePlugin<TeamsOptions>({
  setup(options, ctx) {
    const formatter = options.messageFormatter ? ctx.formatter.create(options.messageFormatter) : undefined;
    const version = options.cardVersion ?? '1.4';
    // One reporter posts to one channel: its cards arrive in order.
    const target = `teams:${ctx.name}`;

    async function post(build: BuildPayload): Promise<void> {
      const text = formatter ? (await formatter.formatBuild(build)).body : undefined;
      const message = teamsMessage(buildSummary(build), version, text);
      ctx.deliver({
        target,
        // The webhook URL is the credential: the queued request shows only its host.
        payload: { method: 'POST', url: maskedWebhookUrl(options.url), body: message },
        supersede: false,
      });
      if (options.verbose)
        ctx.logger.info(`Card for build ${build.number} of ${build.builder.name} handed to delivery`);
    }

    return {
      buildStarted: async ({ payload }) => {
        if (options.started === false) ctx.skip('started is false: no card when a build starts');
        else await post(payload);
      },
      buildFinished: ({ payload }) => post(payload),
      authorize: toWebhook(options.url),
      needs: ['blamelist', 'steps'],
    };
  },
});
