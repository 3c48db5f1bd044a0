/**
 * {{name}}: {{description}}
 *
 * Handlers decide what to say and hand it to core with ctx.deliver(); core filters events first
 * (mode, builders, tags, …), orders and retries deliveries, and calls send() for each one.
 */
import { definePlugin, statusToString } from '@bbreporters/core';
import type { {{pascal}}Options } from './generated/options.js';

export type { {{pascal}}Options } from './generated/options.js';

export interface Message {
  text: string;
}

export default definePlugin<{{pascal}}Options>({
  setup(options, ctx) {
    const say = (text: string) => {
      ctx.deliver<Message>({ target: options.target ?? '{{folder}}', payload: { text: `${options.prefix ?? ''}${text}` } });
    };
    return {
{{handlers}}
      async send(delivery) {
        // Perform one delivery: call your service here. Throw to fail it (core retries; an error
        // with `retryable: false` is final). The payload is what a handler passed to ctx.deliver.
        const { text } = delivery.payload as Message;
        ctx.logger.info({ target: delivery.target }, text);
        return { delivered: text };
      },
    };
  },
});
