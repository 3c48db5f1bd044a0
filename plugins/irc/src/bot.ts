/**
 * The bot: who gets told what. It keeps the notify events of every channel and private chat,
 * the builds being watched, and answers commands over its IRC connection. Notifications are
 * decided here and handed to core as deliveries (`irc:<channel or nick>` with the exact lines),
 * which `send` writes through the connection.
 */
import {
  ChatNotifications,
  cutText,
  resultTitle,
  runCommand,
  type Build,
  type MasterControl,
  type NotifyStore,
  type PluginContext,
} from '@bbreporters/core';
import { isAuthorized } from './authz.js';
import type { IrcConnection } from './client.js';
import { colourFor } from './colors.js';
import { ircCommands, type IrcBotControl, type IrcCommandContext } from './irc-commands.js';
import { chatWords, type MessageStyle } from './messages.js';
import { splitToBytes, stripControl, textBudget } from './text.js';

export interface IrcLines {
  command: 'PRIVMSG' | 'NOTICE';
  lines: string[];
}

export interface BotSettings {
  nick: string;
  username: string;
  version: string;
  allowForce: boolean;
  allowShutdown: boolean;
  authz: string[];
  tags?: string[];
  noticeOnChannel: boolean;
  /** Characters a notification may have before it is cut (an ellipsis ends it). */
  maxMessageLength: number;
  style: MessageStyle;
  defaultEvents: string[];
  /** The configured channels: notification targets from the start, so nothing said before the join is lost. */
  channels: string[];
  pmToNicks: string[];
}

export const isChannel = (target: string): boolean => /^[#&+!]/.test(target);

/** Commands are ignored while this many lines wait to be sent. */
export const MAX_BACKLOG_FOR_COMMANDS = 20;

export class IrcBot implements IrcBotControl {
  /** Who gets told what: channels and private chats, their notify events, watched builds. */
  private readonly notifications: ChatNotifications;
  /** Per delivery that failed part-way: how many of its lines the server already confirmed. */
  private readonly confirmedLines = new Map<string, number>();
  /** Channels joined by command, not yet in: lower-cased channel → who asked. */
  private readonly joining = new Map<string, string>();

  constructor(
    private readonly connection: IrcConnection,
    private readonly settings: BotSettings,
    private readonly context: Pick<PluginContext, 'deliver' | 'logger'> & { master?: MasterControl },
    private readonly store?: NotifyStore,
  ) {
    this.notifications = new ChatNotifications(
      {
        defaultEvents: settings.defaultEvents,
        scopes: [...settings.channels, ...settings.pmToNicks],
        ...(settings.tags ? { tags: settings.tags } : {}),
        isChannel,
      },
      store,
    );
    connection.on('joinRefused', (channel, reason) => {
      const replyTo = this.joining.get(channel.toLowerCase());
      if (replyTo === undefined) return;
      this.joining.delete(channel.toLowerCase());
      connection.forget(channel);
      this.say(replyTo, `I can't join ${channel}: ${reason}`);
    });
    connection.on('joined', (channel) => {
      this.joining.delete(channel.toLowerCase());
      this.notifications.joined(channel);
    });
    connection.on('left', (channel) => this.notifications.left(channel));
    connection.on('message', (message) => {
      const text = this.addressedText(message.text, message.isPrivate);
      if (text === undefined) return;
      // Replies share the line rate with notifications: someone spamming commands must not delay them.
      if (connection.backlog >= MAX_BACKLOG_FOR_COMMANDS) {
        context.logger.warn(
          { nick: message.user.nick, backlog: connection.backlog },
          'IRC command ignored: too many lines waiting to be sent',
        );
        return;
      }
      const replyTo = message.isPrivate ? message.user.nick : message.target;
      const ctx: IrcCommandContext = {
        user: { name: message.user.nick },
        authorized: isAuthorized(message.user, settings.authz),
        ...(message.isPrivate ? {} : { channel: message.target }),
        scope: replyTo,
        ...(context.master ? { master: context.master } : {}),
        bot: this,
        commands: ircCommands,
        reply: (reply) => this.say(replyTo, reply),
      };
      void runCommand(text, ctx, (error) =>
        context.logger.error({ err: error, command: stripControl(text) }, 'IRC command failed'),
      );
    });
  }

  get product(): string {
    return `bbreporters-irc-${this.settings.version}`;
  }
  get allowForce(): boolean {
    return this.settings.allowForce;
  }
  get allowShutdown(): boolean {
    return this.settings.allowShutdown;
  }

  resultText(results: number | null): string {
    return colourFor(results, resultTitle(results), this.settings.style.useColors);
  }

  /** Channel lines count only when they start with `<nick>:` or `<nick>,`; private lines always. */
  private addressedText(text: string, isPrivate: boolean): string | undefined {
    if (isPrivate) return text;
    const nick = this.connection.nick;
    if (text.startsWith(nick) && (text[nick.length] === ':' || text[nick.length] === ','))
      return text.slice(nick.length + 1);
    return undefined;
  }

  /** The exact lines for `target`: control characters removed, each fitting one IRC line. */
  linesFor(target: string, text: string): IrcLines {
    const command = isChannel(target) && this.settings.noticeOnChannel ? 'NOTICE' : 'PRIVMSG';
    const budget = textBudget(this.settings.nick, this.settings.username, command, target);
    return { command, lines: splitToBytes(stripControl(text), budget) };
  }

  /**
   * Writes lines (a delivery's payload, or a reply) to `target`, in order. With a delivery id, a
   * retry after a partial failure starts at the first line the server did not confirm: lines it
   * already took are not said twice.
   */
  async write(target: string, payload: IrcLines, deliveryId?: string): Promise<void> {
    const from = deliveryId === undefined ? 0 : (this.confirmedLines.get(deliveryId) ?? 0);
    const results = await Promise.allSettled(
      payload.lines
        .slice(from)
        .map((line) => this.connection.send(`${payload.command} ${target} :${stripControl(line)}`)),
    );
    const failed = results.findIndex((r) => r.status === 'rejected');
    if (failed < 0) {
      if (deliveryId !== undefined) this.confirmedLines.delete(deliveryId);
      return;
    }
    if (deliveryId !== undefined) this.confirmedLines.set(deliveryId, from + failed);
    throw (results[failed] as PromiseRejectedResult).reason;
  }

  /** Answers a command directly (replies are not notifications, so they skip core's queue). */
  private say(target: string, text: string): void {
    this.write(target, this.linesFor(target, text)).catch((error: unknown) =>
      this.context.logger.warn({ err: error, target }, 'IRC reply not sent'),
    );
  }

  join(channel: string, key: string | undefined, replyTo: string): void {
    this.joining.set(channel.toLowerCase(), replyTo);
    this.connection.join(channel, key);
  }

  leave(channel: string, reason: string): void {
    this.connection.part(channel, stripControl(reason));
    this.notifications.left(channel);
  }

  notifyEvents(scope: string): string[] {
    return this.notifications.notifyEvents(scope);
  }

  setNotifyEvents(scope: string, events: Iterable<string>): void {
    this.notifications.setNotifyEvents(scope, events);
  }

  watch(build: Build, scope: string): void {
    this.notifications.watch(build, scope);
  }

  private deliver(targets: Iterable<string>, text: string): void {
    // Event data can be huge: a notification is cut, so one event never floods a channel for minutes.
    const capped = cutText(text, this.settings.maxMessageLength);
    // Every message must arrive, in order: none replaces an older one still waiting.
    for (const target of targets)
      this.context.deliver({ target: `irc:${target}`, payload: this.linesFor(target, capped), supersede: false });
  }

  /** The reporter's event handlers: who is told what (core's chat engine), in this bot's words. */
  handlers() {
    return this.notifications.handlers(chatWords(this.settings.style), (scopes, text) => this.deliver(scopes, text));
  }
}
