/**
 * A loopback Mattermost: incoming webhooks (`/hooks/{key}`) and the REST API v4's
 * POST /api/v4/posts and PUT /api/v4/posts/{id}, enforcing what Mattermost documents (a Bearer
 * token, a channel the bot may post in, text or attachments, attachments as @mattermost/types'
 * validator accepts them, 16383 runes per message, PUT with the post's id in the body) and
 * answering rate limits with 429, Retry-After and X-Ratelimit-* headers.
 */
import { RecordingServer, type RecordedRequest, type Reply } from '@bbreporters/core/testing';
import { isMessageAttachmentArray, type MessageAttachment } from '@mattermost/types/message_attachments';
import type { Post } from '@mattermost/types/posts';

export const MATTERMOST_TOKEN = 'mmbottoken5ecret0000000000';
export const HOOK_PATH = '/hooks/xk4m9secrethookkey00000000';
export const CHANNEL = 'buildschannel0000000000000';

export type StoredPost = Pick<Post, 'id' | 'channel_id' | 'root_id' | 'message' | 'props'> & { edits: number };

/** Mattermost's error body. */
const appError = (status: number, id: string, message: string): Reply => ({
  status,
  body: { id, message, detailed_error: '', request_id: 'r', status_code: status },
});

function messageError(message: unknown, attachments: unknown): Reply | undefined {
  if (message !== undefined && typeof message !== 'string')
    return appError(400, 'api.context.invalid_body_param.app_error', 'Invalid or missing message in request body.');
  if ([...((message as string | undefined) ?? '')].length > 16_383)
    return appError(400, 'model.post.is_valid.msg.app_error', 'Invalid Message.');
  if (attachments !== undefined && !isMessageAttachmentArray(attachments))
    return appError(400, 'api.context.invalid_body_param.app_error', 'Invalid attachments.');
  return undefined;
}

export class FakeMattermost {
  readonly posts = new Map<string, StoredPost>();
  /** Requests still to answer with 429 (Retry-After 1 s), as Mattermost's rate limiter does. */
  rateLimits = 0;
  problems: string[] = [];
  private next = 0;
  private constructor(readonly server: RecordingServer) {}

  static async start(): Promise<FakeMattermost> {
    const answering: { mattermost?: FakeMattermost } = {};
    const server = await RecordingServer.start((request) => answering.mattermost!.answer(request));
    return (answering.mattermost = new FakeMattermost(server));
  }

  get webhookUrl(): string {
    return `${this.server.url}${HOOK_PATH}`;
  }
  get channel(): StoredPost[] {
    return [...this.posts.values()];
  }

  private answer(request: RecordedRequest): Reply {
    const reply = this.decide(request);
    if ((reply.status ?? 200) >= 400 && reply.status !== 429)
      this.problems.push(`${request.method} ${request.url}: ${JSON.stringify(reply.body)}`);
    return reply;
  }

  private decide(request: RecordedRequest): Reply {
    if (this.rateLimits > 0) {
      this.rateLimits--;
      const reset = '1';
      return {
        status: 429,
        headers: {
          'retry-after': reset,
          'x-ratelimit-limit': '10',
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset': reset,
        },
        body: 'limit exceeded\n',
      };
    }
    if (!/^application\/json\b/.test(request.headers['content-type'] ?? ''))
      return appError(400, 'api.context.invalid_body_param.app_error', 'Invalid body: not JSON.');
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(request.body) as Record<string, unknown>;
    } catch {
      return appError(400, 'api.context.invalid_body_param.app_error', 'Invalid body.');
    }
    if (request.url === HOOK_PATH && request.method === 'POST') {
      if (!body.text && !(body.attachments as MessageAttachment[] | undefined)?.length)
        return appError(400, 'web.incoming_webhook.text.app_error', 'No text specified.');
      const error = messageError(body.text, body.attachments);
      if (error) return error;
      this.store({
        channel_id: CHANNEL,
        message: (body.text as string) ?? '',
        props: { attachments: body.attachments },
      });
      return { status: 200, headers: { 'content-type': 'text/plain' }, body: 'ok' };
    }
    if (!request.url.startsWith('/api/v4/')) return appError(404, 'api.context.404.app_error', 'Not found.');
    if (request.headers.authorization !== `Bearer ${MATTERMOST_TOKEN}`)
      return appError(401, 'api.context.session_expired.app_error', 'Invalid or expired session, please login again.');
    const props = (body.props ?? {}) as Record<string, unknown>;
    const error = messageError(body.message, props.attachments);
    if (error) return error;
    if (request.url === '/api/v4/posts' && request.method === 'POST') {
      if (body.channel_id !== CHANNEL)
        return appError(403, 'api.context.permissions.app_error', 'You do not have the appropriate permissions.');
      if (body.root_id && !this.posts.has(body.root_id as string))
        return appError(400, 'api.post.create_post.root_id.app_error', 'Invalid RootId parameter.');
      const post = this.store({
        channel_id: CHANNEL,
        message: (body.message as string) ?? '',
        props,
        root_id: (body.root_id as string) ?? '',
      });
      return { status: 201, body: post };
    }
    const edit = /^\/api\/v4\/posts\/([a-z0-9]{26})$/.exec(request.url);
    if (edit && request.method === 'PUT') {
      if (body.id !== edit[1]) return appError(400, 'api.context.invalid_body_param.app_error', 'Invalid post id.');
      const post = this.posts.get(edit[1]);
      if (!post) return appError(404, 'app.post.get.app_error', 'Unable to get the post.');
      // PUT replaces what it is given; omitted fields are treated as blank.
      Object.assign(post, { message: body.message ?? '', props, edits: post.edits + 1 });
      return { status: 200, body: post };
    }
    return appError(404, 'api.context.404.app_error', 'Not found.');
  }

  private store(post: Omit<StoredPost, 'id' | 'edits' | 'root_id'> & { root_id?: string }): StoredPost {
    const id = `post${String(this.next++).padStart(22, '0')}`;
    const stored: StoredPost = { id, root_id: '', ...post, edits: 0 };
    this.posts.set(id, stored);
    return stored;
  }

  close(): Promise<void> {
    return this.server.close();
  }
}
