/**
 * @bbreporters/pushjet: Buildbot's PushjetNotifier. A finished build that passes the mail-like
 * filters (mode, builders, tags, schedulers, branches; core applies them), or a watched missing
 * worker, becomes one Pushjet notification (core's push-notifier kit renders it). The secret is
 * added at each attempt, never kept with a queued delivery.
 */
import { definePlugin, pushNotifierHandlers, withFormFields } from '@bbreporters/core';
import type { PushjetOptions } from './generated/options.js';
import { messageRequest } from './message.js';

export type { PushjetOptions } from './generated/options.js';
export { DEFAULT_BASE_URL, messageRequest } from './message.js';

export default definePlugin<PushjetOptions>({
  setup(options, ctx) {
    const handlers = pushNotifierHandlers(options, ctx, (notification) =>
      // Every notification must arrive, in order: a newer one never supersedes an older one.
      ctx.deliver({ target: 'pushjet', payload: messageRequest(notification, options), supersede: false }),
    );
    return { ...handlers, authorize: (request) => withFormFields(request, { secret: options.secret }) };
  },
});
