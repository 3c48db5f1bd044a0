/**
 * @bbreporters/irc: Buildbot's IRC reporter. A bot joins the configured channels, announces
 * builds (`notify_events`, per channel or private chat) and answers commands (status, last,
 * watch, force, stop, shutdown, …) using core's MasterControl.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configuredEvents, definePlugin, NotifyStore } from '@bbreporters/core';
import { IrcBot, type IrcLines } from './bot.js';
import { IrcConnection } from './client.js';
import type { IrcOptions } from './generated/options.js';

export type { IrcOptions } from './generated/options.js';
export type { IrcLines } from './bot.js';

const version = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string })
  .version;

const randomSeconds = (min: number, max: number) => min + Math.floor(Math.random() * (max - min + 1));
/** Buildbot's defaults, drawn once per process: bots restarting together do not flood the server together. */
const defaultLostDelay = randomSeconds(1, 5);
const defaultFailedDelay = randomSeconds(45, 60);

export default definePlugin<IrcOptions>({
  setup(options, ctx) {
    const channels = options.channels.map((c) => (typeof c === 'string' ? { channel: c } : c));
    const connection = new IrcConnection({
      host: options.host,
      port: options.port ?? 6667,
      nick: options.nick,
      username: options.nick,
      ...(options.password ? { nickservPassword: options.password } : {}),
      ...(options.serverPassword ? { serverPassword: options.serverPassword } : {}),
      tls: options.useSSL ?? false,
      rejectUnauthorized: options.sslVerify ?? true,
      lostDelayMs: (options.lostDelay ?? defaultLostDelay) * 1000,
      failedDelayMs: (options.failedDelay ?? defaultFailedDelay) * 1000,
      lineIntervalMs: (options.lineRate ?? 0.5) * 1000,
      version,
      logger: ctx.logger,
    });
    const bot = new IrcBot(
      connection,
      {
        nick: options.nick,
        username: options.nick,
        version,
        allowForce: options.allowForce ?? false,
        allowShutdown: options.allowShutdown ?? false,
        authz: options.authz ?? [],
        ...(options.tags ? { tags: options.tags } : {}),
        noticeOnChannel: options.noticeOnChannel ?? false,
        maxMessageLength: options.maxMessageLength ?? 1000,
        style: {
          useColors: options.useColors ?? true,
          useRevisions: options.useRevisions ?? false,
          showBlameList: options.showBlameList ?? false,
        },
        defaultEvents: configuredEvents(options.notify_events),
        channels: channels.map((c) => c.channel),
        pmToNicks: options.pm_to_nicks ?? [],
      },
      ctx,
      new NotifyStore(
        join(ctx.config.stateDir, 'irc', `${encodeURIComponent(ctx.name)}.notify.json`),
        ctx.logger,
        'IRC',
      ),
    );
    // A preview sends nothing: the bot stays offline. With several instances, one of them connects.
    if (!ctx.config.dryRun)
      ctx.exclusive({
        start: () => {
          for (const c of channels) connection.join(c.channel, c.password);
          connection.start();
        },
        stop: () => connection.stop('bbreporters: another instance takes the bot over'),
      });
    return {
      // xToY needs the previous build; the blame list and changes only when shown.
      needs: [
        'prev_build',
        ...(options.showBlameList ? (['blamelist'] as const) : []),
        ...(options.useRevisions ? (['changes'] as const) : []),
      ],
      ...bot.handlers(),
      send: (delivery) => bot.write(delivery.target.replace(/^irc:/, ''), delivery.payload as IrcLines, delivery.id),
      close: () => connection.stop('bbreporters shutting down: bot disconnecting'),
    };
  },
});
