/**
 * @bbreporters/pushover: Buildbot's PushoverNotifier. A finished build that passes the mail-like
 * filters (mode, builders, tags, schedulers, branches; core applies them), or a watched missing
 * worker, becomes one Pushover notification (core's push-notifier kit renders it). The user key
 * and the API token are added at each attempt, never kept with a queued delivery.
 */
import {
  BbrError,
  definePlugin,
  pushNotifierHandlers,
  withFormFields,
  type HttpRequest,
  type QueuedDelivery,
  type SendOptions,
} from '@bbreporters/core';
import { emergencyProblems } from './emergency.js';
import type { PushoverOptions } from './generated/options.js';
import { messageRequest } from './message.js';
import { quotaUsedUp } from './quota.js';

export type { PushoverOptions } from './generated/options.js';
export { DEFAULT_BASE_URL, MAX_MESSAGE_CHARS, messageRequest } from './message.js';

export default definePlugin<PushoverOptions>({
  setup(options, ctx) {
    const problems = emergencyProblems(options);
    if (problems.length)
      throw new BbrError(
        'BBR_PLUGIN_OPTIONS',
        `invalid options: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
        { details: problems },
      );

    const handlers = pushNotifierHandlers(options, ctx, (notification) =>
      // Every notification must arrive, in order: a newer one never supersedes an older one.
      ctx.deliver({ target: 'pushover', payload: messageRequest(notification, options), supersede: false }),
    );

    async function send(delivery: QueuedDelivery, { signal }: SendOptions): Promise<{ status: number }> {
      const request = withFormFields(delivery.payload as HttpRequest, {
        user: options.user_key,
        token: options.api_token,
      });
      // Pushover answers 200; its 429 is read here (the quota's reset is in its headers), any other status fails as usual.
      const response = await ctx.http.send({ ...request, okStatuses: [200, 429] }, { signal });
      if (response.status === 429) throw quotaUsedUp(response.headers);
      return { status: response.status };
    }

    return { ...handlers, send };
  },
});
