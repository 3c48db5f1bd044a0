/**
 * @bbreporters/discord: build announcements in a Discord channel through a webhook. A started
 * build is posted (its message id kept with core's MessageRefs) and edited when it finishes;
 * without `editStarted` the finished build is a second message. The default message is one embed
 * from core's buildSummary; a messageFormatter's text replaces it. The webhook URL (its token is
 * in the path) is only read at send time: queued payloads, the ledger and previews never hold it.
 */
import { join } from 'node:path';
import {
  buildLink,
  buildSummary,
  definePlugin,
  isHttpError,
  MessageRefs,
  type BuildPayload,
  type QueuedDelivery,
} from '@bbreporters/core';
import type { DiscordOptions } from './generated/options.js';
import { summaryMessage, textMessage, type MessageBody } from './message.js';
import { Webhook, webhookId } from './webhook.js';

export type { DiscordOptions } from './generated/options.js';
export { escapeMarkdown } from './markdown.js';
export { embedLength, fitEmbed, limits } from './limits.js';
export { summaryMessage, textMessage, type MessageBody } from './message.js';

/** What is queued for one message: the webhook body as Discord receives it, and which build it is about. */
export interface DiscordPayload {
  buildid: number;
  /** started: the message to edit later; finished: edits it when there is one. */
  step: 'started' | 'finished';
  body: MessageBody & { username?: string; avatar_url?: string };
}

export default definePlugin<DiscordOptions>({
  setup(options, ctx) {
    const formatter = options.messageFormatter ? ctx.formatter.create(options.messageFormatter) : undefined;
    const editStarted = options.editStarted ?? true;
    const target = `discord:${webhookId(options.webhook_url)}${options.thread_id ? `/${options.thread_id}` : ''}`;
    const webhook = new Webhook(options.webhook_url, options.thread_id, ctx.http, ctx.logger);
    const refs = new MessageRefs(join(ctx.config.stateDir, 'discord', `${ctx.name}.refs.json`), ctx.logger);
    const identity = {
      ...(options.username ? { username: options.username } : {}),
      ...(options.avatar_url ? { avatar_url: options.avatar_url } : {}),
    };

    async function announce(build: BuildPayload, step: DiscordPayload['step']): Promise<void> {
      let message: MessageBody;
      if (formatter) {
        const text = (await formatter.formatBuild(build)).body.trim();
        if (!text) {
          ctx.skip('the message formatter gave an empty text: no message');
          return;
        }
        message = textMessage(text);
      } else {
        const url = buildLink(build, ctx.config.buildbotURL);
        const summary = buildSummary(url ? { ...build, url } : build);
        message = summaryMessage(summary, ctx.config.title, build.complete_at ?? build.started_at);
      }
      const payload: DiscordPayload = { buildid: build.buildid, step, body: { ...identity, ...message } };
      // Every message arrives, in order: the started one is posted before its edit is tried.
      ctx.deliver({ target, payload, supersede: false });
    }

    /** The finished build edits its started message; Discord forgets a deleted one (404): then it is posted anew. */
    async function finish(payload: DiscordPayload, signal: AbortSignal): Promise<unknown> {
      const ref = editStarted ? refs.get(target, payload.buildid) : undefined;
      if (ref) {
        const { username: _u, avatar_url: _a, ...edit } = payload.body;
        try {
          await webhook.edit(ref, edit, signal);
          await refs.delete(target, payload.buildid);
          return { edited: ref };
        } catch (error) {
          if (!isHttpError(error) || error.status !== 404) throw error;
          ctx.logger.info({ build: payload.buildid }, 'Discord: the started message is gone, posting a new one');
          await refs.delete(target, payload.buildid);
        }
      }
      return { created: await webhook.create(payload.body, signal) };
    }

    return {
      buildStarted: async ({ payload }) => {
        if (options.started === false) ctx.skip('started is false: no message when a build starts');
        else await announce(payload, 'started');
      },
      buildFinished: ({ payload }) => announce(payload, 'finished'),
      send: async (delivery: QueuedDelivery, { signal }) => {
        const payload = delivery.payload as DiscordPayload;
        if (payload.step === 'finished') return finish(payload, signal);
        const id = await webhook.create(payload.body, signal);
        if (editStarted) await refs.set(target, payload.buildid, id);
        return { created: id };
      },
      needs: ['steps', 'blamelist'],
    };
  },
});
