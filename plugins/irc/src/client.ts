/**
 * The bot's IRC connection: a typed wrapper around irc-framework (which ships no types).
 * It owns what Buildbot's IRC factory did: reconnect after `lostDelay` / `failedDelay`
 * (irc-framework's own auto-reconnect is off), NickServ identify and channel joins at every
 * sign-on, and one outgoing queue that spaces lines by `lineRate` and holds them while the bot
 * is disconnected. A line counts as sent only once the server answered a PING sent after it (the
 * server handles a client's commands in order); lines written to a connection that then died
 * without that answer are sent again after the reconnect, so nothing is lost (at least once).
 */
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import type { Logger } from '@bbreporters/core';
import type { IrcUser } from './authz.js';

/** The part of irc-framework's Client this package uses. */
interface FrameworkClient {
  connect(): void;
  on<K extends keyof FrameworkEvents>(event: K, listener: (...args: FrameworkEvents[K]) => void): unknown;
  changeNick(nick: string): void;
  quit(message: string): void;
  readonly connected: boolean;
  readonly connection: { write(line: string, done?: () => void): unknown };
}

interface FrameworkMessage {
  nick: string;
  ident: string;
  hostname: string;
  target: string;
  message: string;
}

interface FrameworkEvents {
  registered: [{ nick: string }];
  'socket connected': [];
  'socket close': [unknown];
  privmsg: [FrameworkMessage];
  join: [{ nick: string; channel: string }];
  part: [{ nick: string; channel: string }];
  kick: [{ kicked: string; channel: string; nick: string; message?: string }];
  'irc error': [{ error: string; channel?: string; reason?: string }];
  'nick in use': [{ nick: string }];
  pong: [{ message?: string }];
}

interface FrameworkOptions {
  host: string;
  port: number;
  nick: string;
  username: string;
  gecos: string;
  password?: string;
  tls: boolean;
  rejectUnauthorized: boolean;
  auto_reconnect: false;
  version: string;
}

// irc-framework's ~300 CommonJS files (lodash's mostly), bundled at build into one (scripts/bundle-dependencies.mjs),
// which loads in a fraction of the time; vendor/ sits one folder above this file in src/ and in dist/ alike.
const { Client } = createRequire(import.meta.url)('../vendor/irc-framework.cjs') as {
  Client: new (options: FrameworkOptions) => FrameworkClient;
};

export interface IrcConnectionOptions {
  host: string;
  port: number;
  nick: string;
  username: string;
  /** Sent as PASS during registration (servers that require a password). */
  serverPassword?: string;
  /** Sent to NickServ (IDENTIFY) after every sign-on. */
  nickservPassword?: string;
  tls: boolean;
  rejectUnauthorized: boolean;
  lostDelayMs: number;
  failedDelayMs: number;
  /** Minimum time between two lines sent. */
  lineIntervalMs: number;
  version: string;
  logger: Logger;
}

export interface IncomingMessage {
  user: IrcUser;
  /** The channel, or the bot's nick for a private message. */
  target: string;
  text: string;
  isPrivate: boolean;
}

interface ConnectionEvents {
  registered: [];
  message: [IncomingMessage];
  joined: [channel: string];
  left: [channel: string];
  /** The server refused to let the bot in (bad key, invite only, banned, full). */
  joinRefused: [channel: string, reason: string];
}

const joinRefusals = new Set(['bad_channel_key', 'channel_is_full', 'invite_only_channel', 'banned_from_channel']);

interface Outgoing {
  line: string;
  resolve: () => void;
  reject: (error: Error) => void;
  /** The PING that confirms the line (set once written). */
  ack?: number;
}

const ACK_PREFIX = 'bbr-ack-';

export class IrcConnection extends EventEmitter<ConnectionEvents> {
  private readonly client: FrameworkClient;
  private readonly wanted = new Map<string, { name: string; key?: string }>();
  private readonly queue: Outgoing[] = [];
  /** Written, waiting for the server's PONG. */
  private readonly unconfirmed: Outgoing[] = [];
  private ackSequence = 0;
  private currentNick: string;
  private registered = false;
  private socketOpened = false;
  private stopped = false;
  private nextLineAt = 0;
  private pumpTimer: NodeJS.Timeout | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: IrcConnectionOptions) {
    super();
    this.currentNick = options.nick;
    this.client = new Client({
      host: options.host,
      port: options.port,
      nick: options.nick,
      username: options.username,
      gecos: `bbreporters IRC bot ${options.version}`,
      ...(options.serverPassword ? { password: options.serverPassword } : {}),
      tls: options.tls,
      rejectUnauthorized: options.rejectUnauthorized,
      auto_reconnect: false,
      version: `bbreporters-irc ${options.version}`,
    });
    this.listen();
  }

  /** The bot's nick on the server right now. */
  get nick(): string {
    return this.currentNick;
  }

  get isRegistered(): boolean {
    return this.registered;
  }

  start(): void {
    // Again after a stop: an instance that takes the bot back over (its lease) connects anew.
    this.stopped = false;
    this.options.logger.info({ host: this.options.host, port: this.options.port }, 'connecting to IRC');
    this.client.connect();
  }

  /** Joins now if signed on, and again at every later sign-on. */
  join(channel: string, key?: string): void {
    this.wanted.set(channel.toLowerCase(), { name: channel, ...(key ? { key } : {}) });
    if (this.registered) void this.send(joinLine(channel, key)).catch(() => undefined);
  }

  /** Stops joining `channel` at sign-on (after the server refused it). */
  forget(channel: string): void {
    this.wanted.delete(channel.toLowerCase());
  }

  /** Lines waiting to be sent. */
  get backlog(): number {
    return this.queue.length;
  }

  part(channel: string, reason: string): void {
    this.wanted.delete(channel.toLowerCase());
    if (this.registered) void this.send(`PART ${channel} :${reason}`).catch(() => undefined);
  }

  /**
   * Queues one raw IRC line; resolves once the server confirmed it (see PING above). Lines wait
   * while the bot is disconnected. A line that could end the command early or is too long is refused.
   */
  send(line: string): Promise<void> {
    if (/[\r\n\0]/.test(line)) return Promise.reject(new Error('refusing an IRC line containing CR, LF or NUL'));
    if (Buffer.byteLength(line) > 510)
      return Promise.reject(new Error(`refusing an IRC line of ${Buffer.byteLength(line)} bytes (the limit is 510)`));
    if (this.stopped) return Promise.reject(new Error('the IRC connection is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ line, resolve, reject });
      this.pump();
    });
  }

  /** Quits (waiting briefly for the server to see it) and stops reconnecting. */
  async stop(message: string): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.pumpTimer);
    for (const item of [...this.unconfirmed.splice(0), ...this.queue.splice(0)])
      item.reject(new Error('the IRC connection was closed before this line was sent'));
    if (!this.client.connected) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 2000);
      this.client.on('socket close', () => {
        clearTimeout(timer);
        resolve();
      });
      this.client.quit(message);
    });
  }

  private listen(): void {
    const { logger } = this.options;
    this.client.on('socket connected', () => {
      this.socketOpened = true;
    });
    this.client.on('nick in use', () => {
      if (this.registered) return;
      this.currentNick = `${this.currentNick}_`;
      logger.warn({ nick: this.currentNick }, 'nick in use, trying another');
      this.client.changeNick(this.currentNick);
    });
    this.client.on('registered', ({ nick }) => {
      this.currentNick = nick;
      this.registered = true;
      logger.info({ nick }, 'signed on to IRC');
      // Identify and join before anything waiting in the queue is said.
      const prelude = [
        ...(this.options.nickservPassword ? [`PRIVMSG NickServ :IDENTIFY ${this.options.nickservPassword}`] : []),
        ...[...this.wanted.values()].map((c) => joinLine(c.name, c.key)),
      ];
      this.queue.unshift(...prelude.map((line) => ({ line, resolve: () => undefined, reject: () => undefined })));
      this.emit('registered');
      this.pump();
    });
    this.client.on('socket close', (error) => this.onClose(error));
    this.client.on('pong', ({ message }) => {
      if (!message?.startsWith(ACK_PREFIX)) return;
      const ack = Number(message.slice(ACK_PREFIX.length));
      while (this.unconfirmed.length && this.unconfirmed[0]!.ack! <= ack) this.unconfirmed.shift()!.resolve();
    });
    this.client.on('privmsg', (m) => {
      const isPrivate = m.target.toLowerCase() === this.currentNick.toLowerCase();
      this.emit('message', {
        user: { nick: m.nick, ident: m.ident, hostname: m.hostname },
        target: m.target,
        text: m.message,
        isPrivate,
      });
    });
    this.client.on('join', ({ nick, channel }) => {
      if (nick.toLowerCase() !== this.currentNick.toLowerCase()) return;
      logger.info({ channel }, 'I have joined');
      this.emit('joined', channel);
    });
    this.client.on('part', ({ nick, channel }) => {
      if (nick.toLowerCase() === this.currentNick.toLowerCase()) this.emit('left', channel);
    });
    this.client.on('kick', ({ kicked, channel, nick }) => {
      if (kicked.toLowerCase() !== this.currentNick.toLowerCase()) return;
      logger.warn({ channel, by: nick }, 'kicked from channel');
      this.wanted.delete(channel.toLowerCase());
      this.emit('left', channel);
    });
    this.client.on('irc error', (e) => {
      logger.warn({ error: e.error, channel: e.channel, reason: e.reason }, 'IRC server refused a command');
      if (e.channel && joinRefusals.has(e.error)) this.emit('joinRefused', e.channel, e.reason ?? e.error);
    });
  }

  private onClose(error: unknown): void {
    const lost = this.socketOpened;
    this.registered = false;
    this.socketOpened = false;
    clearTimeout(this.pumpTimer);
    this.pumpTimer = undefined;
    // Not confirmed: maybe never reached the server. Said again, first, after the reconnect.
    // Joins and the NickServ identify are said again at every sign-on anyway.
    const resend: Outgoing[] = [];
    for (const item of this.unconfirmed.splice(0)) {
      if (item.line.startsWith('JOIN ') || item.line.startsWith('PRIVMSG NickServ ')) item.resolve();
      else resend.push({ line: item.line, resolve: item.resolve, reject: item.reject });
    }
    this.queue.unshift(...resend);
    if (this.stopped) return;
    const delay = lost ? this.options.lostDelayMs : this.options.failedDelayMs;
    this.options.logger.warn(
      { reason: error ? String(error) : undefined, reconnectInMs: delay },
      lost ? 'IRC connection lost' : 'IRC connection failed',
    );
    this.reconnectTimer = setTimeout(() => {
      this.currentNick = this.options.nick;
      this.client.connect();
    }, delay);
  }

  /** Writes the next queued line when signed on and the line rate allows. */
  private pump(): void {
    if (this.pumpTimer || !this.registered || this.queue.length === 0) return;
    const wait = this.nextLineAt - Date.now();
    if (wait > 0) {
      this.pumpTimer = setTimeout(() => {
        this.pumpTimer = undefined;
        this.pump();
      }, wait);
      return;
    }
    const item = this.queue.shift()!;
    this.nextLineAt = Date.now() + this.options.lineIntervalMs;
    this.client.connection.write(item.line);
    item.ack = ++this.ackSequence;
    this.unconfirmed.push(item);
    // One PING after the last line of a burst (and every 10 lines of a long one) confirms them all.
    if (this.queue.length === 0 || item.ack % 10 === 0) this.client.connection.write(`PING :${ACK_PREFIX}${item.ack}`);
    this.pump();
  }
}

function joinLine(channel: string, key?: string): string {
  return key ? `JOIN ${channel} ${key}` : `JOIN ${channel}`;
}
