/**
 * @bbreporters/matrix: builds as messages in a Matrix room, through the client-server API
 * (`PUT /_matrix/client/v3/rooms/{roomId}/send/m.room.message/{txnId}`). A build's start is
 * announced; its finish edits that message (`m.replace` on the started event id, kept with core's
 * MessageRefs across restarts) or, when there is none, is a message of its own. The transaction id
 * is the delivery's id, the same on every retry, so a homeserver that got a send whose answer was
 * lost returns the same event instead of posting twice. Credentials are added at send time only.
 */
import { join } from 'node:path';
import { definePlugin, encodedPath, MessageRefs, type QueuedDelivery } from '@bbreporters/core';
import type { MatrixOptions } from './generated/options.js';
import { formattedContent, replacement, summaryContent, type MessageContent, type MessageType } from './message.js';
import { MatrixSession } from './session.js';

export type { MatrixOptions } from './generated/options.js';
export {
  escapeHtml,
  formattedContent,
  htmlToText,
  replacement,
  summaryContent,
  MAX_TEXT_BYTES,
  type MessageContent,
  type ReplacementContent,
} from './message.js';
export { MatrixError, MatrixSession } from './session.js';

/** What a handler queues: the message for one build, before it is known whether it edits an earlier one. */
export interface MatrixDelivery {
  /** The room's send endpoint as configured; `send` appends the transaction id (and puts the room id for an alias). */
  url: string;
  buildid: number;
  /** `started` messages are remembered; a `finished` one edits the build's started message when there is one. */
  phase: 'started' | 'finished';
  content: MessageContent;
}

export default definePlugin<MatrixOptions>({
  setup(options, ctx) {
    const msgtype: MessageType = options.msgtype ?? 'm.notice';
    const formatter = options.messageFormatter ? ctx.formatter.create(options.messageFormatter) : undefined;
    const session = new MatrixSession(options, ctx.http);
    const refs = new MessageRefs(join(ctx.config.stateDir, 'matrix', `${ctx.name}.refs.json`), ctx.logger);
    const target = `matrix:${options.room}`;
    const roomUrl = session.url(encodedPath`/_matrix/client/v3/rooms/${options.room}/send/m.room.message`);

    const deliver = (payload: MatrixDelivery) =>
      // Every message arrives, in order: a finished build's edit never replaces its start while queued.
      ctx.deliver({ target, payload, supersede: false });

    return {
      buildStarted: ({ payload }) => {
        if (!options.started) {
          ctx.skip('started is off: no message when a build starts');
          return;
        }
        deliver({
          url: roomUrl,
          buildid: payload.buildid,
          phase: 'started',
          content: summaryContent(payload, msgtype),
        });
      },
      buildFinished: async ({ payload }) => {
        const content = formatter
          ? formattedContent(await formatter.formatBuild(payload), msgtype)
          : summaryContent(payload, msgtype);
        deliver({ url: roomUrl, buildid: payload.buildid, phase: 'finished', content });
      },
      send: async (delivery: QueuedDelivery, { signal }) => {
        const message = delivery.payload as MatrixDelivery;
        const started = message.phase === 'finished' ? refs.get(delivery.target, message.buildid) : undefined;
        const room = await session.room(signal);
        const { event_id } = await session.call<{ event_id: string }>(
          {
            method: 'PUT',
            // The delivery id is the transaction id: a retry of this message is recognised by the homeserver.
            url: session.url(encodedPath`/_matrix/client/v3/rooms/${room}/send/m.room.message/${delivery.id}`),
            headers: { 'Content-Type': 'application/json' },
            body: started ? replacement(message.content, started) : message.content,
          },
          signal,
        );
        if (message.phase === 'started') await refs.set(delivery.target, message.buildid, event_id);
        else if (started) await refs.delete(delivery.target, message.buildid);
        if (options.verbose) ctx.logger.info({ event_id, edits: started }, `Matrix message sent to ${options.room}`);
        return { event_id, ...(started ? { edits: started } : {}) };
      },
    };
  },
});
