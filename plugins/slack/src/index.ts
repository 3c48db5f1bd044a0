/**
 * @bbreporters/slack: a build's start and result in Slack. With an incoming webhook each event is
 * a message of its own (webhooks return no id); with a bot token the started message is posted
 * with chat.postMessage, updated to the result with chat.update, and the result is replied in its
 * thread. Neither the token nor the webhook URL is ever part of a queued delivery.
 */
import {
  buildSummary,
  definePlugin,
  maskedWebhookUrl,
  MessageRefs,
  sendInThread,
  threadedReporterHandlers,
  urlUnder,
  withHeaders,
  type BuildPayload,
  type HttpRequest,
  type QueuedDelivery,
  type ThreadPlace,
  type ThreadStep,
} from '@bbreporters/core';
import { join } from 'node:path';
import type { SlackOptions } from './generated/options.js';
import { summaryMessage, textMessage, type SlackMessage } from './message.js';
import { editRefused, webApiError, type WebApiAnswer } from './web-api.js';

export type { SlackOptions } from './generated/options.js';
export { limits, summaryMessage, textMessage, type SlackMessage } from './message.js';

/**
 * A queued message: the request as Slack receives it when no started message is known (no token,
 * the webhook URL masked), and its step in the build's thread (Web API only).
 */
export interface SlackDelivery extends HttpRequest {
  thread?: ThreadPlace;
}

export default definePlugin<SlackOptions>({
  setup(options, ctx) {
    // Not checked by the schema: a `${NAME}` reference is the usual way to write it, and its value is only known here.
    if (options.webhook !== undefined && !/^https?:\/\/\S+$/i.test(options.webhook))
      throw new Error('webhook must be an http(s) URL (the Slack incoming webhook URL)');
    const formatter = options.messageFormatter ? ctx.formatter.create(options.messageFormatter) : undefined;
    const apiUrl = options.apiUrl ?? 'https://slack.com/api';
    const webApi = options.token !== undefined;
    const target = webApi ? `slack:${options.channel}` : 'slack:webhook';
    const refs = webApi
      ? new MessageRefs(join(ctx.config.stateDir, 'slack', `${ctx.name}.refs.json`), ctx.logger)
      : undefined;

    const render = async (build: BuildPayload): Promise<SlackMessage> =>
      formatter ? textMessage((await formatter.formatBuild(build)).body) : summaryMessage(buildSummary(build));

    const deliver = (build: BuildPayload, message: SlackMessage, step: ThreadStep) => {
      const payload: SlackDelivery = webApi
        ? {
            method: 'POST',
            url: urlUnder(apiUrl, '/chat.postMessage'),
            headers: { 'Content-Type': 'application/json; charset=utf-8' },
            body: { channel: options.channel, ...message },
            thread: { build: build.buildid, step },
          }
        : { method: 'POST', url: maskedWebhookUrl(options.webhook!), body: message };
      // Every message must arrive, in order: never superseded.
      ctx.deliver({ target, payload, supersede: false });
    };

    const call = async (method: string, request: HttpRequest, signal: AbortSignal) => {
      const response = await ctx.http.send(
        withHeaders({ ...request, url: urlUnder(apiUrl, `/${method}`) }, { Authorization: `Bearer ${options.token}` }),
        { signal },
      );
      return response.json<WebApiAnswer>();
    };

    /** chat.postMessage, chat.update or a reply in the thread; a message id is `channel ts`. */
    function sendWebApi(delivery: QueuedDelivery, signal: AbortSignal) {
      const { thread, ...request } = delivery.payload as SlackDelivery;
      const body = request.body as Record<string, unknown>;
      const post = async (parent?: string) => {
        const [channel, ts] = parent?.split(' ') ?? [];
        const reply = parent ? { channel, thread_ts: ts } : {};
        const answer = await call('chat.postMessage', { ...request, body: { ...body, ...reply } }, signal);
        if (!answer.ok) throw webApiError('chat.postMessage', answer);
        return answer.channel && answer.ts ? `${answer.channel} ${answer.ts}` : undefined;
      };
      if (!thread) return post();
      return sendInThread(
        refs!,
        delivery.target,
        thread,
        {
          post,
          edit: async (ref) => {
            const [channel, ts] = ref.split(' ');
            const answer = await call('chat.update', { ...request, body: { ...body, channel, ts } }, signal);
            if (answer.ok) return true;
            if (!editRefused.has(answer.error ?? '')) throw webApiError('chat.update', answer);
            ctx.logger.info({ error: answer.error }, 'the started Slack message cannot be updated: posting the result');
            return false;
          },
        },
        options.thread !== false,
      );
    }

    return {
      ...threadedReporterHandlers({
        render,
        deliver,
        threaded: webApi,
        replies: options.thread !== false,
        sendThreaded: sendWebApi,
        ...(options.webhook ? { webhook: options.webhook } : {}),
        http: ctx.http,
      }),
    };
  },
});
