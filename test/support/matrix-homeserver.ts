/**
 * A loopback Matrix homeserver for reporter tests, on core's RecordingServer: the client-server
 * API v3 calls a bot makes (login, room directory, send) with the rules a homeserver applies:
 * Bearer tokens (401 M_UNKNOWN_TOKEN), membership (403 M_FORBIDDEN), the m.room.message content
 * and its HTML tag set (400 M_BAD_JSON), the event size (413 M_TOO_LARGE), edits that must replace
 * an original event of the same sender, and transaction ids: a PUT repeating one (same device)
 * returns the first event instead of posting again.
 */
import { RecordingServer, type RecordedRequest, type Reply } from '@bbreporters/core/testing';

export interface RoomEvent {
  event_id: string;
  sender: string;
  txnId: string;
  content: Record<string, unknown>;
}

interface Session {
  user: string;
  device: string;
}

/** Spec 1.x "m.room.message msgtypes": the HTML tags clients are recommended to allow, and their attributes. */
const ALLOWED_TAGS: Readonly<Record<string, readonly string[]>> = {
  font: ['data-mx-bg-color', 'data-mx-color', 'color'],
  a: ['name', 'target', 'href'],
  code: ['class'],
  span: ['data-mx-bg-color', 'data-mx-color', 'data-mx-spoiler'],
  ...Object.fromEntries(
    'del h1 h2 h3 h4 h5 h6 blockquote p ul ol sup sub li b i u strong em s hr br div table thead tbody tr th td caption pre details summary'
      .split(' ')
      .map((t) => [t, []]),
  ),
};

const MAX_EVENT_BYTES = 65_536;

const error = (status: number, errcode: string, message: string, extra: Record<string, unknown> = {}): Reply => ({
  status,
  body: { errcode, error: message, ...extra },
});

export class FakeHomeserver {
  readonly server: RecordingServer;
  /** The room's timeline: what members see, in order. */
  readonly timeline: RoomEvent[] = [];
  readonly rooms = new Map<string, string>([['#ci:example.org', '!ci:example.org']]);
  private readonly sessions = new Map<string, Session>();
  private readonly transactions = new Map<string, string>();
  private logins = 0;
  /** Answers the next send 502 after posting it: the answer is lost on the way, as behind a failing proxy. */
  loseNextAnswer = false;
  /** Answers the next send 429 M_LIMIT_EXCEEDED asking to wait this long (ms), without posting it. */
  limitNextSend: number | undefined;

  private constructor(server: RecordingServer) {
    this.server = server;
  }

  static async start(options: { user?: string; password?: string; tokens?: Record<string, string> } = {}) {
    const server = await RecordingServer.start();
    const homeserver = new FakeHomeserver(server);
    for (const [token, user] of Object.entries(options.tokens ?? {}))
      homeserver.sessions.set(token, { user, device: `DEV-${token}` });
    server.answer((request) => homeserver.answer(request, options));
    return homeserver;
  }

  get url(): string {
    return this.server.url;
  }

  /** Forgets every access token, as a homeserver does after a logout or an expiry. */
  forgetTokens(): void {
    this.sessions.clear();
  }

  /** The `formatted_body` or `body` each member sees now: edits applied to their original. */
  shown(): Array<{ event_id: string; content: Record<string, unknown> }> {
    const current = new Map<string, Record<string, unknown>>();
    for (const e of this.timeline) {
      const relates = e.content['m.relates_to'] as { rel_type?: string; event_id?: string } | undefined;
      if (relates?.rel_type === 'm.replace') current.set(relates.event_id!, e.content['m.new_content'] as never);
      else current.set(e.event_id, e.content);
    }
    return [...current].map(([event_id, content]) => ({ event_id, content }));
  }

  sends(): RecordedRequest[] {
    return this.server.matching('PUT', /\/send\/m\.room\.message\//);
  }

  private answer(request: RecordedRequest, options: { user?: string; password?: string }): Reply {
    const path = request.url.split('?')[0];
    if (request.method === 'POST' && path === '/_matrix/client/v3/login') return this.login(request, options);
    const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    if (!token) return error(401, 'M_MISSING_TOKEN', 'Missing access token');
    const session = this.sessions.get(token);
    if (!session) return error(401, 'M_UNKNOWN_TOKEN', 'Unknown access token', { soft_logout: false });
    const directory = /^\/_matrix\/client\/v3\/directory\/room\/([^/]+)$/.exec(path);
    if (request.method === 'GET' && directory) {
      const room = this.rooms.get(decodeURIComponent(directory[1]));
      return room
        ? { body: { room_id: room, servers: ['example.org'] } }
        : error(404, 'M_NOT_FOUND', 'Room alias not found');
    }
    const send = /^\/_matrix\/client\/v3\/rooms\/([^/]+)\/send\/m\.room\.message\/([^/]+)$/.exec(path);
    if (request.method === 'PUT' && send)
      return this.send(decodeURIComponent(send[1]), decodeURIComponent(send[2]), request, session);
    return error(404, 'M_UNRECOGNIZED', `Unrecognized request ${request.method} ${path}`);
  }

  private login(request: RecordedRequest, options: { user?: string; password?: string }): Reply {
    const body = parse(request.body) as {
      type?: unknown;
      identifier?: { type?: unknown; user?: unknown };
      password?: unknown;
      device_id?: unknown;
    };
    if (body === undefined || body.type !== 'm.login.password' || body.identifier?.type !== 'm.id.user')
      return error(400, 'M_BAD_JSON', 'expected m.login.password with an m.id.user identifier');
    if (body.identifier.user !== options.user || body.password !== options.password)
      return error(403, 'M_FORBIDDEN', 'Invalid username or password');
    const device = typeof body.device_id === 'string' ? body.device_id : 'BBRDEVICE';
    const token = `syt_login_${++this.logins}`;
    this.sessions.set(token, { user: `@${options.user}:example.org`, device });
    return { body: { access_token: token, device_id: device, user_id: `@${options.user}:example.org` } };
  }

  private send(room: string, txnId: string, request: RecordedRequest, session: Session): Reply {
    if (this.limitNextSend !== undefined) {
      const retry_after_ms = this.limitNextSend;
      this.limitNextSend = undefined;
      return error(429, 'M_LIMIT_EXCEEDED', 'Too many requests', { retry_after_ms });
    }
    if (![...this.rooms.values()].includes(room)) return error(403, 'M_FORBIDDEN', 'User not in room');
    if (Buffer.byteLength(request.body, 'utf8') > MAX_EVENT_BYTES) return error(413, 'M_TOO_LARGE', 'Event too large');
    // Idempotence: a transaction id already used by this device names the event it made.
    const transaction = `${session.device} ${txnId}`;
    const done = this.transactions.get(transaction);
    if (done) return { body: { event_id: done } };
    const content = parse(request.body);
    const problems = contentProblems(content);
    const relates = (content as { 'm.relates_to'?: { event_id?: string } } | undefined)?.['m.relates_to'];
    if (relates) {
      const original = this.timeline.find((e) => e.event_id === relates.event_id);
      if (!original) problems.push(`m.relates_to.event_id ${relates.event_id} is no event of this room`);
      else if (original.sender !== session.user) problems.push('an edit must come from the sender of the original');
      else if ((original.content['m.relates_to'] as { rel_type?: string } | undefined)?.rel_type === 'm.replace')
        problems.push('an edit must replace an original event, not an edit');
    }
    if (problems.length) return error(400, 'M_BAD_JSON', problems.join('; '));
    const event_id = `$event${this.timeline.length + 1}`;
    this.timeline.push({ event_id, sender: session.user, txnId, content: content as Record<string, unknown> });
    this.transactions.set(transaction, event_id);
    if (this.loseNextAnswer) {
      this.loseNextAnswer = false;
      return { status: 502, body: 'Bad Gateway' };
    }
    return { body: { event_id } };
  }
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** What the spec requires of an m.room.message content (m.text / m.notice, HTML format, m.replace). */
export function contentProblems(content: unknown, path = ''): string[] {
  if (typeof content !== 'object' || content === null || Array.isArray(content))
    return [`${path}content: not an object`];
  const c = content as Record<string, unknown>;
  const problems: string[] = [];
  if (c.msgtype !== 'm.text' && c.msgtype !== 'm.notice') problems.push(`${path}msgtype: m.text or m.notice expected`);
  if (typeof c.body !== 'string') problems.push(`${path}body: a string is required`);
  if (c.format !== undefined || c.formatted_body !== undefined) {
    if (c.format !== 'org.matrix.custom.html') problems.push(`${path}format: org.matrix.custom.html expected`);
    if (typeof c.formatted_body !== 'string') problems.push(`${path}formatted_body: a string is required with format`);
    else problems.push(...htmlProblems(c.formatted_body).map((p) => `${path}formatted_body: ${p}`));
  }
  const mentions = c['m.mentions'];
  if (mentions !== undefined && (typeof mentions !== 'object' || mentions === null))
    problems.push(`${path}m.mentions: an object expected`);
  const relates = c['m.relates_to'] as Record<string, unknown> | undefined;
  if (relates !== undefined) {
    if (relates.rel_type !== 'm.replace' || typeof relates.event_id !== 'string')
      problems.push(`${path}m.relates_to: {rel_type: m.replace, event_id} expected`);
    if (c['m.new_content'] === undefined) problems.push(`${path}m.new_content: required with m.replace`);
    else problems.push(...contentProblems(c['m.new_content'], `${path}m.new_content.`));
  } else if (c['m.new_content'] !== undefined) problems.push(`${path}m.new_content: only with m.relates_to m.replace`);
  return problems;
}

/** Tags outside the recommended set, unknown attributes, links that are not http(s), unbalanced tags. */
function htmlProblems(html: string): string[] {
  const problems: string[] = [];
  const open: string[] = [];
  for (const match of html.matchAll(/<(\/?)([a-z0-9]+)((?:\s+[a-z-]+="[^"<>]*")*)\s*(\/?)>|<|>/gi)) {
    if (match[0] === '<' || match[0] === '>') {
      problems.push(`a bare "${match[0]}" (unescaped text)`);
      continue;
    }
    const [, closing, tag, attributes] = match;
    const allowed = ALLOWED_TAGS[tag.toLowerCase()];
    if (!allowed) {
      problems.push(`<${tag}> is not an allowed tag`);
      continue;
    }
    for (const [, name, value] of attributes.matchAll(/([a-z-]+)="([^"]*)"/gi)) {
      if (!allowed.includes(name)) problems.push(`<${tag} ${name}> is not an allowed attribute`);
      if (name === 'href' && !/^https?:\/\//.test(value)) problems.push(`<a href="${value}"> is no http(s) link`);
    }
    if (tag === 'br' || tag === 'hr') continue;
    if (!closing) open.push(tag);
    else if (open.pop() !== tag) problems.push(`</${tag}> closes no open <${tag}>`);
  }
  if (open.length) problems.push(`unclosed ${open.map((t) => `<${t}>`).join('')}`);
  return problems;
}
