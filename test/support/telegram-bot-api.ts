/**
 * A Bot API server for tests, following Telegram's documented methods
 * (https://core.telegram.org/bots/api): `POST /bot<token>/<method>` with a JSON or form body,
 * answers `{ok: true, result}` or `{ok: false, error_code, description, parameters?}`. It keeps
 * chats, users and the bot's messages with their inline keyboards, hands updates out by
 * getUpdates (long polling, offsets confirm) or posts them to the web-hook set with setWebhook
 * (with its secret header), and can answer 429 `retry_after` on demand. Tests drive it like
 * people in a chat: `say` a line, `press` a button.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TestUser {
  id: number;
  first_name: string;
  username?: string;
}
export interface TestChat {
  id: number;
  type: 'private' | 'group' | 'supergroup';
  title?: string;
}
interface InlineButton {
  text: string;
  callback_data: string;
}
export interface SentMessage {
  message_id: number;
  chat_id: number;
  text: string;
  parse_mode?: string;
  keyboard?: InlineButton[][];
  /** When it arrived (ms since the epoch). */
  at: number;
}
export interface ApiCall {
  method: string;
  params: Record<string, unknown>;
  at: number;
}

const MAX_TEXT = 4096;
const MAX_CALLBACK_BYTES = 64;

class ApiError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly parameters?: Record<string, unknown>,
  ) {
    super(message);
  }
}

/** Checks an HTML-mode text the way Telegram parses it: only its tags, balanced, and `&` entities. */
function checkHtml(text: string): void {
  const allowed = new Set([
    'b',
    'strong',
    'i',
    'em',
    'u',
    'ins',
    's',
    'strike',
    'del',
    'a',
    'code',
    'pre',
    'tg-spoiler',
    'blockquote',
    'span',
  ]);
  const open: string[] = [];
  for (const m of text.matchAll(/<(\/?)([a-z-]+)[^>]*>|&([a-z]+|#\d+);?|[<>]/g)) {
    if (m[0] === '<' || m[0] === '>')
      throw new ApiError(400, `Bad Request: can't parse entities: unexpected "${m[0]}"`);
    if (m[3] !== undefined) {
      if (!m[0].endsWith(';') || (!['amp', 'lt', 'gt', 'quot'].includes(m[3]) && !m[3].startsWith('#')))
        throw new ApiError(400, `Bad Request: can't parse entities: unsupported entity ${m[0]}`);
      continue;
    }
    const tag = m[2]!;
    if (!allowed.has(tag)) throw new ApiError(400, `Bad Request: can't parse entities: unsupported start tag "${tag}"`);
    if (m[1]) {
      if (open.pop() !== tag) throw new ApiError(400, `Bad Request: can't parse entities: unmatched end tag "${tag}"`);
    } else open.push(tag);
  }
  if (open.length) throw new ApiError(400, `Bad Request: can't parse entities: unclosed tag "${open.at(-1)}"`);
}

export class BotApiServer {
  readonly calls: ApiCall[] = [];
  readonly messages: SentMessage[] = [];
  private readonly pending: unknown[] = [];
  private nextUpdate = 1;
  private nextMessage = 1;
  private waiters: Array<() => void> = [];
  private webhook: { url: string; secret?: string } | undefined;
  /** Method → how many next calls answer 429 and with which retry_after. */
  private readonly floods = new Map<string, { count: number; retryAfter: number }>();

  private constructor(
    private readonly server: Server,
    readonly token: string,
    readonly botUser: TestUser & { username: string },
    private readonly chats: Map<number, TestChat>,
  ) {}

  static async start(options: { token: string; username: string; chats: TestChat[] }): Promise<BotApiServer> {
    const chats = new Map(options.chats.map((c) => [c.id, c]));
    const server = createServer();
    const api = new BotApiServer(
      server,
      options.token,
      { id: 777, first_name: 'CI', username: options.username },
      chats,
    );
    server.on('request', (req, res) => {
      void api.answer(req).then(
        (result) =>
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, result })),
        (error: unknown) => {
          const e = error instanceof ApiError ? error : new ApiError(500, `Internal Server Error: ${String(error)}`);
          res.writeHead(e.code, { 'content-type': 'application/json' }).end(
            JSON.stringify({
              ok: false,
              error_code: e.code,
              description: e.message,
              ...(e.parameters ? { parameters: e.parameters } : {}),
            }),
          );
        },
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return api;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    for (const wake of this.waiters.splice(0)) wake();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** The next `count` calls of `method` answer 429 with `retry_after` seconds. */
  flood(method: string, retryAfter: number, count = 1): void {
    this.floods.set(method, { count, retryAfter });
  }

  callsOf(method: string): ApiCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** A person writes `text` in `chat`. */
  async say(chat: TestChat, from: TestUser, text: string, replyTo?: SentMessage): Promise<void> {
    await this.push({
      message: {
        message_id: this.nextMessage++,
        date: Math.floor(Date.now() / 1000),
        chat,
        from: { ...from, is_bot: false },
        text,
        ...(replyTo ? { reply_to_message: this.asMessage(replyTo) } : {}),
      },
    });
  }

  /** A person presses the button labelled `label` (a regular expression) under `message`. */
  async press(message: SentMessage, label: RegExp, from: TestUser): Promise<void> {
    const current = this.messages.find((m) => m.message_id === message.message_id)!;
    const button = (current.keyboard ?? []).flat().find((b) => label.test(b.text));
    if (!button) throw new Error(`no button ${label} under "${current.text}": ${JSON.stringify(current.keyboard)}`);
    await this.push({
      callback_query: {
        id: `cb${this.nextUpdate}`,
        from: { ...from, is_bot: false },
        chat_instance: '1',
        message: this.asMessage(current),
        data: button.callback_data,
      },
    });
  }

  /** Waits until `count` messages (after `after` of them) reached `chat`; returns them. */
  async messagesIn(chat: TestChat, count: number, after = 0, timeoutMs = 10_000): Promise<SentMessage[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.filter((m) => m.chat_id === chat.id).slice(after);
      if (found.length >= count) return found.slice(0, count);
      if (Date.now() > deadline)
        throw new Error(
          `waited for ${count} messages in chat ${chat.id}, got: ${JSON.stringify(found.map((m) => m.text))}`,
        );
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Waits for a call of `method` (the `nth`, counting from 1). */
  async waitForCall(method: string, nth = 1, timeoutMs = 10_000): Promise<ApiCall> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.callsOf(method)[nth - 1];
      if (found) return found;
      if (Date.now() > deadline)
        throw new Error(`no call ${nth} of ${method}: ${this.calls.map((c) => c.method).join(', ')}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  private asMessage(m: SentMessage) {
    return {
      message_id: m.message_id,
      date: Math.floor(m.at / 1000),
      chat: this.chats.get(m.chat_id)!,
      from: { ...this.botUser, is_bot: true },
      text: m.text,
      ...(m.keyboard ? { reply_markup: { inline_keyboard: m.keyboard } } : {}),
    };
  }

  private async push(update: Record<string, unknown>): Promise<void> {
    const full = { update_id: this.nextUpdate++, ...update };
    if (this.webhook) {
      const response = await fetch(this.webhook.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(this.webhook.secret ? { 'x-telegram-bot-api-secret-token': this.webhook.secret } : {}),
        },
        body: JSON.stringify(full),
      });
      if (!response.ok) throw new Error(`the web-hook answered ${response.status}: ${await response.text()}`);
      return;
    }
    this.pending.push(full);
    for (const wake of this.waiters.splice(0)) wake();
  }

  private async answer(req: IncomingMessage): Promise<unknown> {
    const m = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(new URL(req.url ?? '/', 'http://x').pathname);
    if (!m) throw new ApiError(404, 'Not Found');
    if (m[1] !== this.token) throw new ApiError(401, 'Unauthorized');
    const params = await readParams(req);
    const method = m[2]!;
    this.calls.push({ method, params, at: Date.now() });
    const flood = this.floods.get(method);
    if (flood && flood.count > 0) {
      flood.count--;
      throw new ApiError(429, `Too Many Requests: retry after ${flood.retryAfter}`, { retry_after: flood.retryAfter });
    }
    switch (method) {
      case 'getMe':
        return { ...this.botUser, is_bot: true };
      case 'setMyCommands':
        for (const c of params.commands as Array<{ command: string; description: string }>)
          if (!/^[a-z0-9_]{1,32}$/.test(c.command) || c.description.length < 1 || c.description.length > 256)
            throw new ApiError(400, `Bad Request: BOT_COMMAND_INVALID ${c.command}`);
        return true;
      case 'deleteWebhook':
        this.webhook = undefined;
        return true;
      case 'setWebhook': {
        const secret = params.secret_token as string | undefined;
        if (secret !== undefined && !/^[A-Za-z0-9_-]{1,256}$/.test(secret))
          throw new ApiError(400, 'Bad Request: secret token contains unallowed characters');
        this.webhook = { url: params.url as string, ...(secret ? { secret } : {}) };
        return true;
      }
      case 'getUpdates':
        return this.getUpdates(params);
      case 'sendMessage':
        return this.sendMessage(params);
      case 'editMessageReplyMarkup': {
        const message = this.messages.find(
          (x) => x.message_id === params.message_id && x.chat_id === Number(params.chat_id),
        );
        if (!message) throw new ApiError(400, 'Bad Request: message to edit not found');
        const keyboard = (params.reply_markup as { inline_keyboard?: InlineButton[][] } | undefined)?.inline_keyboard;
        if (keyboard) this.checkKeyboard(keyboard);
        if (keyboard?.length) message.keyboard = keyboard;
        else delete message.keyboard;
        return this.asMessage(message);
      }
      case 'answerCallbackQuery':
        if (typeof params.callback_query_id !== 'string') throw new ApiError(400, 'Bad Request: query id missing');
        return true;
      default:
        throw new ApiError(404, `Not Found: method ${method}`);
    }
  }

  private async getUpdates(params: Record<string, unknown>): Promise<unknown[]> {
    if (this.webhook)
      throw new ApiError(
        409,
        "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
      );
    const offset = params.offset as number | undefined;
    // An offset confirms every update before it: they are not given again.
    if (offset !== undefined)
      this.pending.splice(0, this.pending.filter((u) => (u as { update_id: number }).update_id < offset).length);
    const deadline = Date.now() + Number(params.timeout ?? 0) * 1000;
    while (this.pending.length === 0 && Date.now() < deadline && this.server.listening)
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    return [...this.pending];
  }

  private sendMessage(params: Record<string, unknown>): unknown {
    const chatId = Number(params.chat_id);
    if (!this.chats.has(chatId)) throw new ApiError(400, 'Bad Request: chat not found');
    const text = String(params.text ?? '');
    if (text.length === 0) throw new ApiError(400, 'Bad Request: message text is empty');
    if (Array.from(text).length > MAX_TEXT) throw new ApiError(400, 'Bad Request: message is too long');
    if (params.parse_mode === 'HTML') checkHtml(text);
    else if (params.parse_mode !== undefined)
      throw new ApiError(400, `Bad Request: unsupported parse_mode ${String(params.parse_mode)}`);
    const keyboard = (params.reply_markup as { inline_keyboard?: InlineButton[][] } | undefined)?.inline_keyboard;
    if (keyboard) this.checkKeyboard(keyboard);
    const message: SentMessage = {
      message_id: this.nextMessage++,
      chat_id: chatId,
      text,
      ...(params.parse_mode ? { parse_mode: params.parse_mode as string } : {}),
      ...(keyboard?.length ? { keyboard } : {}),
      at: Date.now(),
    };
    this.messages.push(message);
    return this.asMessage(message);
  }

  private checkKeyboard(rows: InlineButton[][]): void {
    for (const b of rows.flat()) {
      const bytes = Buffer.byteLength(b.callback_data ?? '');
      if (bytes < 1 || bytes > MAX_CALLBACK_BYTES) throw new ApiError(400, 'Bad Request: BUTTON_DATA_INVALID');
      if (!b.text) throw new ApiError(400, 'Bad Request: text buttons are unallowed in the inline keyboard');
    }
  }
}

async function readParams(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks).toString('utf8');
  const type = req.headers['content-type'] ?? '';
  if (type.startsWith('application/json')) return body ? (JSON.parse(body) as Record<string, unknown>) : {};
  if (type.startsWith('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(body));
  if (type.startsWith('multipart/form-data')) {
    // setWebhook with a certificate: the fields' values (the file's content is not needed).
    const fields: Record<string, unknown> = {};
    for (const m of body.matchAll(/name="([^"]+)"(?:; filename="[^"]*")?\r\n(?:[^\r\n]+\r\n)*\r\n([\s\S]*?)\r\n--/g))
      fields[m[1]!] = m[2]!.startsWith('{') || m[2]!.startsWith('[') ? JSON.parse(m[2]!) : m[2];
    return fields;
  }
  return {};
}
