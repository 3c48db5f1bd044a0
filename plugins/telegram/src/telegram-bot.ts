/**
 * The Telegram front end of core's chat engine: turns updates (messages, button presses) into
 * command runs, answers them, and hands notifications to core as deliveries
 * (`telegram:<chat id>`, an HTML message) that `send` posts.
 */
import {
  ChatNotifications,
  cutText,
  resultLook,
  resultTitle,
  runCommand,
  type Build,
  type BotControl,
  type MasterControl,
  type NotifyStore,
  type PluginContext,
} from '@bbreporters/core';
import { GrammyError, type Api } from 'grammy';
import type { Chat, Message, Update, User } from 'grammy/types';
import { ButtonCommands, type Button } from './keyboards.js';
import { apiSignal } from './api-signal.js';
import { chatWords, MAX_MESSAGE_LENGTH, type MessageStyle } from './messages.js';
import { telegramCommands, type TelegramCommandContext } from './telegram-commands.js';

export interface TelegramMessage {
  chat_id: number;
  text: string;
  parse_mode: 'HTML';
}

export interface TelegramSettings {
  product: string;
  allowForce: boolean;
  allowShutdown: boolean;
  /** User ids allowed to force, stop and shut down. */
  authz: number[];
  chatIds: number[];
  tags?: string[];
  defaultEvents: string[];
  style: MessageStyle;
}

/** A user as replies and reasons name them: `@alice`, else their first and last name. */
function nameOf(user: User): string {
  return user.username ? `@${user.username}` : [user.first_name, user.last_name].filter(Boolean).join(' ');
}

export class TelegramBot implements BotControl {
  private readonly notifications: ChatNotifications;
  private readonly buttons = new ButtonCommands();
  /** The bot's user name (getMe, or the bot_username option): `/status@name` is for this bot. */
  username: string | undefined;
  /** Replies go out one after the other, so a command's lines arrive in order. */
  private replies: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly api: Api,
    private readonly settings: TelegramSettings,
    private readonly context: Pick<PluginContext, 'deliver' | 'logger'> & { master?: MasterControl },
    store?: NotifyStore,
  ) {
    this.notifications = new ChatNotifications(
      {
        defaultEvents: settings.defaultEvents,
        scopes: settings.chatIds.map(String),
        ...(settings.tags ? { tags: settings.tags } : {}),
      },
      store,
    );
  }

  get product(): string {
    return this.settings.product;
  }
  get allowForce(): boolean {
    return this.settings.allowForce;
  }
  get allowShutdown(): boolean {
    return this.settings.allowShutdown;
  }

  resultText(results: number | null): string {
    return `${resultLook(results).emoji} ${resultTitle(results)}`;
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

  /** Handles one update; failures are logged, never thrown (the next update must still be read). */
  async handle(update: Update): Promise<void> {
    try {
      if (update.message?.text !== undefined && update.message.from) await this.onMessage(update.message);
      else if (update.callback_query) await this.onButton(update.callback_query);
    } catch (error) {
      this.context.logger.error({ err: error, update: update.update_id }, 'Telegram update not handled');
    }
  }

  /**
   * The command line of a message: `/status@thisbot all` → `status all`. In groups only `/`
   * commands count (and not those for another bot); in a private chat any text is a command.
   */
  private commandLine(text: string, chat: Chat): string | undefined {
    const m = /^\/([A-Za-z0-9_]+)(?:@([A-Za-z0-9_]+))?(?:\s+([\s\S]*))?$/.exec(text.trim());
    if (!m) return chat.type === 'private' ? text : undefined;
    if (m[2] !== undefined && m[2].toLowerCase() !== this.username?.toLowerCase()) return undefined;
    return `${m[1]} ${m[3] ?? ''}`;
  }

  private async onMessage(message: Message): Promise<void> {
    const line = this.commandLine(message.text!, message.chat);
    if (line === undefined) return;
    const replied = message.reply_to_message;
    const ctx = this.contextFor(message.chat, message.from!);
    if (replied?.reply_markup && replied.from?.username === this.username)
      ctx.removeRepliedKeyboard = () => this.setKeyboard(message.chat.id, replied.message_id, undefined);
    await this.run(line, ctx);
  }

  private async onButton(query: NonNullable<Update['callback_query']>): Promise<void> {
    const line = query.data === undefined ? undefined : this.buttons.command(query.data);
    const message = query.message;
    await this.api.answerCallbackQuery(
      query.id,
      line === undefined ? { text: 'Sorry, button is no longer valid!' } : {},
    );
    if (!message) return;
    if (line === undefined) {
      this.setKeyboard(message.chat.id, message.message_id, undefined);
      return;
    }
    const ctx = this.contextFor(message.chat, query.from);
    let redrawn = false;
    ctx.redraw = (rows) => {
      redrawn = true;
      this.setKeyboard(message.chat.id, message.message_id, rows);
    };
    await this.run(line, ctx);
    // A used keyboard goes away (the notify keyboard redraws itself instead).
    if (!redrawn) this.setKeyboard(message.chat.id, message.message_id, undefined);
  }

  private contextFor(chat: Chat, from: User): TelegramCommandContext {
    return {
      user: { name: nameOf(from) },
      userId: from.id,
      authorized: this.settings.authz.includes(from.id),
      ...(chat.type === 'private' ? {} : { channel: ('title' in chat ? chat.title : undefined) ?? String(chat.id) }),
      chat: { id: chat.id, type: chat.type },
      scope: String(chat.id),
      ...(this.context.master ? { master: this.context.master } : {}),
      bot: this,
      commands: telegramCommands,
      reply: (text) => this.say(chat.id, text),
      keyboard: (text, rows) => this.say(chat.id, text, rows),
    };
  }

  private run(line: string, ctx: TelegramCommandContext): Promise<void> {
    return runCommand(line, ctx, (error) =>
      this.context.logger.error({ err: error, command: cutText(line, 200) }, 'Telegram command failed'),
    );
  }

  /** Answers directly, in plain text (replies are not notifications: they skip core's queue). */
  private say(chatId: number, text: string, rows?: Button[][]): void {
    const other = rows ? { reply_markup: this.buttons.markup(rows) } : {};
    this.replies = this.replies
      .then(() => this.api.sendMessage(chatId, cutText(text, MAX_MESSAGE_LENGTH), other))
      .catch((error: unknown) => this.context.logger.warn({ err: error, chat: chatId }, 'Telegram reply not sent'));
  }

  private setKeyboard(chatId: number, messageId: number, rows: Button[][] | undefined): void {
    this.replies = this.replies
      .then(() =>
        this.api.editMessageReplyMarkup(chatId, messageId, rows ? { reply_markup: this.buttons.markup(rows) } : {}),
      )
      .catch((error: unknown) =>
        this.context.logger.warn({ err: error, chat: chatId }, 'Telegram keyboard not changed'),
      );
  }

  /** Waits for the replies said so far (a stop lets them out first). */
  async flush(): Promise<void> {
    await this.replies;
  }

  private deliver(targets: Iterable<string>, text: string): void {
    // Every message must arrive, in order: none replaces an older one still waiting.
    for (const target of targets) {
      const payload: TelegramMessage = { chat_id: Number(target), text, parse_mode: 'HTML' };
      this.context.deliver({ target: `telegram:${target}`, payload, supersede: false });
    }
  }

  /** The reporter's event handlers: who is told what (core's chat engine), in this bot's words. */
  handlers() {
    return this.notifications.handlers(chatWords(this.settings.style), (scopes, text) => this.deliver(scopes, text));
  }

  /**
   * Sends one notification. Telegram's flood control (429 `retry_after`) waits as long as asked;
   * a refusal (400: bad request, 403: the bot was blocked or removed) is final.
   */
  async send(message: TelegramMessage, signal: AbortSignal): Promise<{ message_id: number }> {
    try {
      const sent = await this.api.sendMessage(
        message.chat_id,
        message.text,
        { parse_mode: message.parse_mode, link_preview_options: { is_disabled: true } },
        apiSignal(signal),
      );
      return { message_id: sent.message_id };
    } catch (error) {
      if (!(error instanceof GrammyError)) throw error;
      const reason = new Error(`Telegram refused the message: ${error.error_code} ${error.description}`);
      const retryAfter = error.parameters.retry_after;
      if (error.error_code === 429 && retryAfter !== undefined)
        throw Object.assign(reason, { retryAfterMs: retryAfter * 1000 });
      throw Object.assign(reason, { retryable: error.error_code >= 500 || error.error_code === 429 });
    }
  }
}
