/**
 * A loopback Slack: incoming webhooks and the Web API's chat.postMessage / chat.update, enforcing
 * what Slack documents (a Bearer bot token, a known channel, Block Kit limits, `text` or blocks,
 * chat.update by channel id and ts) and answering as Slack does: webhooks `ok` or 400 + error code,
 * the Web API HTTP 200 with `{ok:false,error}`, rate limits 429 + Retry-After.
 */
import { RecordingServer, type RecordedRequest, type Reply } from '@bbreporters/core/testing';

export const SLACK_TOKEN = 'xoxb-1111-2222-SeCrEtBoTtOkEn';
export const WEBHOOK_PATH = '/services/T0TEST/B0TEST/SeCrEtWeBhOoKkEy42';
export const CHANNEL_ID = 'C0BUILDS';

export interface SlackPost {
  channel: string;
  ts: string;
  thread_ts?: string;
  text?: string;
  attachments?: Array<{ color?: string; fallback?: string; blocks?: Block[] }>;
  edits: number;
}

type TextObject = { type?: string; text?: string };
type Block = { type?: string; text?: TextObject; fields?: TextObject[]; elements?: TextObject[] };

/** Block Kit's documented limits (Slack's block reference, the @slack/types typings). */
function blockProblems(blocks: Block[]): string[] {
  const problems: string[] = [];
  if (blocks.length > 50) problems.push('more than 50 blocks');
  const textObject = (t: TextObject | undefined, max: number, where: string) => {
    if (!t || (t.type !== 'mrkdwn' && t.type !== 'plain_text') || typeof t.text !== 'string' || t.text === '')
      problems.push(`${where}: not a text object`);
    else if ([...t.text].length > max) problems.push(`${where}: longer than ${max}`);
  };
  blocks.forEach((b, i) => {
    if (b.type === 'header') {
      textObject(b.text, 150, `blocks[${i}].text`);
      if (b.text?.type !== 'plain_text') problems.push(`blocks[${i}]: a header takes plain_text only`);
    } else if (b.type === 'section') {
      if (!b.text && !b.fields) problems.push(`blocks[${i}]: a section needs text or fields`);
      if (b.text) textObject(b.text, 3000, `blocks[${i}].text`);
      if (b.fields) {
        if (b.fields.length > 10) problems.push(`blocks[${i}]: more than 10 fields`);
        b.fields.forEach((f, j) => textObject(f, 2000, `blocks[${i}].fields[${j}]`));
      }
    } else if (b.type === 'context') {
      if (!b.elements?.length || b.elements.length > 10) problems.push(`blocks[${i}]: 1 to 10 context elements`);
    } else if (b.type !== 'divider') problems.push(`blocks[${i}]: unexpected type ${String(b.type)}`);
  });
  return problems;
}

/** The message's error code as Slack names it, or undefined when it is a valid message. */
function messageError(body: Record<string, unknown>): string | undefined {
  const attachments = (body.attachments ?? []) as SlackPost['attachments'];
  const blocks = [...((body.blocks ?? []) as Block[]), ...attachments!.flatMap((a) => a.blocks ?? [])];
  if (typeof body.text !== 'string' && !blocks.length && !attachments!.length) return 'no_text';
  if (typeof body.text === 'string' && [...body.text].length > 40_000) return 'msg_too_long';
  if (blockProblems(blocks).length) return 'invalid_blocks';
  return undefined;
}

export class FakeSlack {
  readonly posts = new Map<string, SlackPost>();
  /** Requests still to answer with 429 + Retry-After (1 s), as Slack's rate limiter does. */
  rateLimits = 0;
  problems: string[] = [];
  private clock = 1_700_000_000;
  private constructor(readonly server: RecordingServer) {}

  static async start(): Promise<FakeSlack> {
    const answering: { slack?: FakeSlack } = {};
    const server = await RecordingServer.start((request) => answering.slack!.answer(request));
    return (answering.slack = new FakeSlack(server));
  }

  get webhookUrl(): string {
    return `${this.server.url}${WEBHOOK_PATH}`;
  }
  get apiUrl(): string {
    return `${this.server.url}/api`;
  }
  /** The messages of the channel in the order they were posted. */
  get channel(): SlackPost[] {
    return [...this.posts.values()];
  }

  private answer(request: RecordedRequest): Reply {
    if (this.rateLimits > 0) {
      this.rateLimits--;
      const webApi = request.url.startsWith('/api/');
      return {
        status: 429,
        headers: { 'retry-after': '1' },
        body: webApi ? { ok: false, error: 'ratelimited' } : 'rate_limited',
      };
    }
    if (request.method !== 'POST') return { status: 405, body: 'method_not_allowed' };
    if (!/^application\/json\b/.test(request.headers['content-type'] ?? ''))
      return this.fail(request, 'invalid_payload');
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(request.body) as Record<string, unknown>;
    } catch {
      return this.fail(request, 'invalid_json');
    }
    if (request.url === WEBHOOK_PATH) {
      const error = messageError(body);
      if (error) return this.fail(request, error);
      this.post(body, CHANNEL_ID);
      return { status: 200, headers: { 'content-type': 'text/plain' }, body: 'ok' };
    }
    if (!request.url.startsWith('/api/')) return { status: 404, body: 'no_service' };
    const auth = request.headers.authorization;
    if (!auth) return this.fail(request, 'not_authed');
    if (auth !== `Bearer ${SLACK_TOKEN}`) return this.fail(request, 'invalid_auth');
    const error = messageError(body);
    if (error) return this.fail(request, error);
    if (request.url === '/api/chat.postMessage') {
      if (body.channel !== CHANNEL_ID && body.channel !== '#builds') return this.fail(request, 'channel_not_found');
      if (body.thread_ts !== undefined && !this.posts.has(body.thread_ts as string))
        return this.fail(request, 'thread_not_found');
      const post = this.post(body, CHANNEL_ID);
      return { status: 200, body: { ok: true, channel: post.channel, ts: post.ts, message: { text: post.text } } };
    }
    if (request.url === '/api/chat.update') {
      // chat.update takes the channel's id only, never its name.
      if (body.channel !== CHANNEL_ID) return this.fail(request, 'channel_not_found');
      const post = this.posts.get(body.ts as string);
      if (!post) return this.fail(request, 'message_not_found');
      Object.assign(post, { text: body.text, attachments: body.attachments, edits: post.edits + 1 });
      return { status: 200, body: { ok: true, channel: post.channel, ts: post.ts, text: post.text } };
    }
    return this.fail(request, 'unknown_method');
  }

  private post(body: Record<string, unknown>, channel: string): SlackPost {
    const ts = `${this.clock++}.000100`;
    const post: SlackPost = {
      channel,
      ts,
      ...(body.thread_ts ? { thread_ts: body.thread_ts as string } : {}),
      text: body.text as string,
      attachments: body.attachments as SlackPost['attachments'],
      edits: 0,
    };
    this.posts.set(ts, post);
    return post;
  }

  /** Webhooks answer 400 + the code as text; the Web API HTTP 200 + `{ok:false}`. */
  private fail(request: RecordedRequest, error: string): Reply {
    this.problems.push(`${request.url.startsWith('/api/') ? request.url : 'webhook'}: ${error}`);
    return request.url.startsWith('/api/')
      ? { status: 200, body: { ok: false, error } }
      : { status: error === 'no_service' ? 404 : 400, headers: { 'content-type': 'text/plain' }, body: error };
  }

  close(): Promise<void> {
    return this.server.close();
  }
}
