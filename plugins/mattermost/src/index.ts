/**
 * @bbreporters/mattermost: a build's start and result in Mattermost. With an incoming webhook
 * (Slack-compatible) each event is a post of its own (webhooks return no id); with a bot token
 * the start is created with POST /api/v4/posts, edited to the result with PUT /api/v4/posts/{id},
 * and the result is replied in its thread. Neither the token nor the webhook URL is ever part of a
 * queued delivery.
 */
import {
  buildSummary,
  definePlugin,
  encodedPath,
  isHttpError,
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
import type { MattermostOptions } from './generated/options.js';
import { summaryMessage, textMessage, type MattermostMessage } from './message.js';

export type { MattermostOptions } from './generated/options.js';
export { mattermostMarkdown, MESSAGE_MAX, summaryMessage, textMessage, type MattermostMessage } from './message.js';

/**
 * A queued post: the request as Mattermost receives it when no started post is known (no token,
 * the webhook URL masked), and its step in the build's thread (REST API only).
 */
export interface MattermostDelivery extends HttpRequest {
  thread?: ThreadPlace;
}

/** The REST API's post, as far as a reporter writes it. */
interface PostBody {
  channel_id: string;
  message: string;
  props?: { attachments: MattermostMessage['attachments'] };
}

/** Statuses of PUT /api/v4/posts/{id} that mean the started post can no longer be edited: the result is posted anew. */
const editRefused = new Set([403, 404]);

export default definePlugin<MattermostOptions>({
  setup(options, ctx) {
    // Not checked by the schema: a `${NAME}` reference is the usual way to write it, and its value is only known here.
    if (options.webhook !== undefined && !/^https?:\/\/\S+$/i.test(options.webhook))
      throw new Error('webhook must be an http(s) URL (the Mattermost incoming webhook URL)');
    const formatter = options.messageFormatter ? ctx.formatter.create(options.messageFormatter) : undefined;
    const rest = options.token !== undefined;
    const target = rest ? `mattermost:${options.channel}` : 'mattermost:webhook';
    const refs = rest
      ? new MessageRefs(join(ctx.config.stateDir, 'mattermost', `${ctx.name}.refs.json`), ctx.logger)
      : undefined;

    const render = async (build: BuildPayload): Promise<MattermostMessage> =>
      formatter ? textMessage((await formatter.formatBuild(build)).body) : summaryMessage(buildSummary(build));

    const deliver = (build: BuildPayload, message: MattermostMessage, step: ThreadStep) => {
      const post: PostBody = {
        channel_id: options.channel!,
        message: message.text ?? '',
        ...(message.attachments ? { props: { attachments: message.attachments } } : {}),
      };
      const payload: MattermostDelivery = rest
        ? {
            method: 'POST',
            url: urlUnder(options.url!, '/api/v4/posts'),
            body: post,
            thread: { build: build.buildid, step },
          }
        : { method: 'POST', url: maskedWebhookUrl(options.webhook!), body: message };
      // Every post must arrive, in order: never superseded.
      ctx.deliver({ target, payload, supersede: false });
    };

    const authorized = (request: HttpRequest) => withHeaders(request, { Authorization: `Bearer ${options.token}` });

    /** A post, an edit or a reply in the thread; a message id is the post's id. */
    async function sendRest(delivery: QueuedDelivery, signal: AbortSignal) {
      const { thread, ...request } = delivery.payload as MattermostDelivery;
      const body = request.body as PostBody;
      const post = async (parent?: string) => {
        const answer = await ctx.http.send(
          authorized({ ...request, body: parent ? { ...body, root_id: parent } : body }),
          {
            signal,
          },
        );
        return answer.json<{ id?: string }>().id;
      };
      if (!thread) return { id: await post() };
      return sendInThread(
        refs!,
        delivery.target,
        thread,
        {
          post,
          edit: async (id) => {
            // PUT replaces every updatable field: message and props go together.
            const edit: HttpRequest = {
              method: 'PUT',
              url: urlUnder(options.url!, encodedPath`/api/v4/posts/${id}`),
              body: { id, message: body.message, props: body.props ?? {} },
            };
            try {
              await ctx.http.send(authorized(edit), { signal });
              return true;
            } catch (error) {
              if (!isHttpError(error) || !editRefused.has(error.status)) throw error;
              ctx.logger.info(
                { status: error.status },
                'the started Mattermost post cannot be edited: posting the result',
              );
              return false;
            }
          },
        },
        options.thread !== false,
      );
    }

    return {
      ...threadedReporterHandlers({
        render,
        deliver,
        threaded: rest,
        replies: options.thread !== false,
        sendThreaded: sendRest,
        ...(options.webhook ? { webhook: options.webhook } : {}),
        http: ctx.http,
      }),
    };
  },
});
