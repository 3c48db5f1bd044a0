/**
 * @bbreporters/telegram: Buildbot's TelegramBot. The bot announces builds to its chats
 * (`notify_events`, changed at run time with `/notify` or its keyboard) and answers core's chat
 * commands (`/status`, `/last`, `/watch`, `/force`, `/stop`, …) with inline keyboards, by long
 * polling or a web-hook on the http source's server.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { BbrError, configuredEvents, definePlugin, NotifyStore } from '@bbreporters/core';
import { Api } from 'grammy';
import type { TelegramOptions } from './generated/options.js';
import { TelegramBot, type TelegramMessage } from './telegram-bot.js';
import { menuCommands } from './telegram-commands.js';
import { Updates } from './updates.js';

export type { TelegramOptions } from './generated/options.js';
export type { TelegramMessage } from './telegram-bot.js';

const version = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string })
  .version;

export default definePlugin<TelegramOptions>({
  setup(options, ctx) {
    const pollTimeout = options.pollTimeout ?? 120;
    // Long polls must outlive their own wait.
    const api = new Api(options.bot_token, {
      apiRoot: (options.apiRoot ?? 'https://api.telegram.org').replace(/\/+$/, ''),
      timeoutSeconds: pollTimeout + 10,
    });
    const bot = new TelegramBot(
      api,
      {
        product: `bbreporters-telegram-${version}`,
        allowForce: options.allowForce ?? false,
        allowShutdown: options.allowShutdown ?? false,
        authz: options.authz ?? [],
        chatIds: options.chat_ids ?? [],
        ...(options.tags ? { tags: options.tags } : {}),
        defaultEvents: configuredEvents(options.notify_events),
        style: { useRevisions: options.useRevisions ?? false, showBlameList: options.showBlameList ?? true },
      },
      ctx,
      new NotifyStore(
        join(ctx.config.stateDir, 'telegram', `${encodeURIComponent(ctx.name)}.notify.json`),
        ctx.logger,
        'Telegram',
      ),
    );
    if (options.bot_username) bot.username = options.bot_username;

    let webhook: { url: string; certificate?: string } | undefined;
    if (options.useWebhook) {
      if (!options.webhookURL)
        throw new BbrError(
          'BBR_CONFIG_INVALID',
          'telegram: useWebhook needs webhookURL, the public URL of the http source’s server (e.g. https://ci.example.org/bbreporters/)',
        );
      const path = ctx.webhook((req, res) => updates.webhook(req, res));
      if (path === undefined && !ctx.config.dryRun)
        throw new BbrError(
          'BBR_CONFIG_INVALID',
          'telegram: useWebhook needs an http source (sources: [{type: http}]) to receive Telegram’s posts on',
        );
      webhook = {
        url: new URL(path?.slice(1) ?? '', options.webhookURL.replace(/\/*$/, '/')).href,
        ...(options.certificate ? { certificate: resolve(ctx.config.configDir, options.certificate) } : {}),
      };
    }
    const updates = new Updates(
      api,
      {
        pollTimeout,
        retryDelayMs: (options.retryDelay ?? 30) * 1000,
        ...(options.bot_username ? { username: options.bot_username } : {}),
        commands: menuCommands(),
        ...(webhook ? { webhook } : {}),
      },
      (update) => bot.handle(update),
      (username) => (bot.username = username),
      ctx.logger,
    );
    // A preview sends nothing: the bot stays offline. With several instances, one of them listens.
    if (!ctx.config.dryRun)
      ctx.exclusive({
        start: () => updates.start(),
        stop: async () => {
          await updates.stop();
          await bot.flush();
        },
      });
    return {
      // xToY needs the previous build; the blame list and changes only when shown.
      needs: [
        'prev_build',
        ...(options.showBlameList !== false ? (['blamelist'] as const) : []),
        ...(options.useRevisions ? (['changes'] as const) : []),
      ],
      ...bot.handlers(),
      send: (delivery, { signal }) => bot.send(delivery.payload as TelegramMessage, signal),
      close: async () => {
        await updates.stop();
        await bot.flush();
      },
    };
  },
});
