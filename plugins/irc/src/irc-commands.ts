/**
 * The commands only an IRC bot has: joining and leaving channels. Everything else is core's chat
 * engine (`chatCommands`).
 */
import {
  chatCommands,
  describeUser,
  requireAuthz,
  shellWords,
  UsageError,
  type BotControl,
  type CommandContext,
  type Commands,
} from '@bbreporters/core';

export interface IrcBotControl extends BotControl {
  /** Joins; a refusal by the server is told to `replyTo`. */
  join(channel: string, key: string | undefined, replyTo: string): void;
  leave(channel: string, reason: string): void;
}

export type IrcCommandContext = CommandContext<IrcBotControl>;

const CHANNEL = /^[#&+!][^\s,\x07]{1,49}$/;

export const ircCommands: Commands<IrcCommandContext> = {
  ...chatCommands,
  join: {
    usage: 'join <#channel> [<key>] - join a channel',
    run(ctx, args) {
      const [channel, key, ...extra] = shellWords(args);
      if (!channel || !CHANNEL.test(channel) || extra.length) throw new UsageError("try 'join <#channel> [<key>]'");
      requireAuthz(ctx, 'make me join channels');
      ctx.reply(`Joining ${channel}`);
      ctx.bot.join(channel, key, ctx.scope);
    },
  },
  leave: {
    usage: 'leave <#channel> - leave a channel',
    run(ctx, args) {
      const words = shellWords(args);
      const channel = words[0] ?? ctx.channel;
      if (!channel || !CHANNEL.test(channel) || words.length > 1) throw new UsageError("try 'leave <#channel>'");
      requireAuthz(ctx, 'make me leave channels');
      if (channel.toLowerCase() !== ctx.channel?.toLowerCase()) ctx.reply(`Leaving ${channel}`);
      ctx.bot.leave(channel, `Buildbot has been told to leave ${channel} by ${describeUser(ctx)}`);
    },
  },
};
