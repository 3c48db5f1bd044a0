/**
 * Telegram's commands over core's chat engine (Buildbot's TelegramBot): `/start`, `/getid`,
 * `/nay`, and keyboards for `/force`, `/stop`, `/watch` and `/notify` given without arguments.
 * A button runs a command line as its presser; the front end removes a keyboard once used,
 * except the notify keyboard, which is redrawn in place.
 */
import {
  builderNames,
  chatCommands,
  requireControl,
  type BotControl,
  type CommandContext,
  type Commands,
} from '@bbreporters/core';
import { quoteWord, type Button } from './keyboards.js';

export interface TelegramCommandContext extends CommandContext<BotControl> {
  userId: number;
  chat: { id: number; type: string };
  /** Replies with a keyboard. */
  keyboard(text: string, rows: Button[][]): void;
  /** Set when a button was pressed: redraws (or, without rows, removes) that button's keyboard. */
  redraw?: (rows?: Button[][]) => void;
  /** Set when the command replies to a message of the bot's with a keyboard: removes that keyboard. */
  removeRepliedKeyboard?: () => void;
}

/** More buttons than this make a keyboard too long to use: the rest are typed. */
const MAX_BUTTONS = 50;

/** Notify events in pairs, as Buildbot's keyboard shows them. */
const NOTIFY_PAIRS = [
  ['started', 'finished'],
  ['success', 'failure'],
  ['warnings', 'exception'],
  ['problem', 'recovery'],
  ['worse', 'better'],
  ['cancelled', 'worker'],
] as const;

async function runningBuilders(ctx: TelegramCommandContext, command: string): Promise<string[]> {
  const names = await builderNames(ctx, command);
  const status = ctx.master?.builderStatus?.bind(ctx.master);
  if (!status) return names;
  const running = await Promise.all(names.map(async (n) => ((await status(n))?.running.length ? n : undefined)));
  return running.filter((n): n is string => n !== undefined);
}

function builderKeyboard(ctx: TelegramCommandContext, text: string, names: string[], button: (name: string) => Button) {
  const rows = names.slice(0, MAX_BUTTONS).map((n) => [button(n)]);
  const more = names.length > MAX_BUTTONS ? ` (the first ${MAX_BUTTONS} of ${names.length})` : '';
  ctx.keyboard(`${text}${more}`, [...rows, [{ text: 'Never mind', command: 'nay' }]]);
}

function notifyRows(ctx: TelegramCommandContext): Button[][] {
  const on = new Set(ctx.bot.notifyEvents(ctx.scope));
  return [
    ...NOTIFY_PAIRS.map((pair) =>
      pair.map((e) => ({
        text: `${on.has(e) ? '🔔' : '🔕'} ${e}`,
        command: `notify ${on.has(e) ? 'off' : 'on'}-quiet ${e}`,
      })),
    ),
    [{ text: 'Hide…', command: 'nay' }],
  ];
}

const isBare = (args: string, ...words: string[]) => ['', ...words].includes(args.trim());

export const telegramCommands: Commands<TelegramCommandContext> = {
  ...chatCommands,
  start: {
    usage: 'start - say hello and list the commands',
    run(ctx) {
      ctx.reply(`Hi ${ctx.user.name}! I announce builds here and answer commands: try /help.`);
      return chatCommands.commands!.run(ctx, '');
    },
  },
  getid: {
    usage: "getid - your user id (for authz) and this chat's id (for chat_ids)",
    run(ctx) {
      ctx.reply(`Your ID is ${ctx.userId}.`);
      if (ctx.chat.type !== 'private') ctx.reply(`This ${ctx.chat.type} ID is ${ctx.chat.id}.`);
    },
  },
  nay: {
    usage: 'nay - never mind: forget the question and its keyboard',
    run(ctx) {
      if (ctx.redraw) ctx.redraw();
      else {
        ctx.removeRepliedKeyboard?.();
        ctx.reply(`Never mind, ${ctx.user.name}...`);
      }
    },
  },
  force: {
    usage: chatCommands.force!.usage,
    async run(ctx, args) {
      if (!isBare(args, 'build')) return chatCommands.force!.run(ctx, args);
      requireControl(ctx, 'force');
      builderKeyboard(ctx, 'Which builder do you want to start?', await builderNames(ctx, 'force'), (n) => ({
        text: `🚀 ${n}`,
        command: `force build ${quoteWord(n)} requested with the keyboard`,
      }));
    },
  },
  stop: {
    usage: chatCommands.stop!.usage,
    async run(ctx, args) {
      if (!isBare(args, 'build')) return chatCommands.stop!.run(ctx, args);
      requireControl(ctx, 'stop');
      const names = await runningBuilders(ctx, 'stop');
      if (names.length === 0) ctx.reply('sorry, no build is currently running');
      else
        builderKeyboard(ctx, 'Which build do you want to stop?', names, (n) => ({
          text: `🚫 ${n}`,
          command: `stop build ${quoteWord(n)} requested with the keyboard`,
        }));
    },
  },
  watch: {
    usage: chatCommands.watch!.usage,
    async run(ctx, args) {
      if (!isBare(args)) return chatCommands.watch!.run(ctx, args);
      const names = await runningBuilders(ctx, 'watch');
      if (names.length === 0) ctx.reply('there are no builds currently running');
      else
        builderKeyboard(ctx, 'Which builder do you want to watch?', names, (n) => ({
          text: `🔎 ${n}`,
          command: `watch ${quoteWord(n)}`,
        }));
    },
  },
  notify: {
    usage: chatCommands.notify!.usage,
    async run(ctx, args) {
      if (isBare(args)) {
        ctx.keyboard('Events announced here (tap to switch):', notifyRows(ctx));
        return;
      }
      await chatCommands.notify!.run(ctx, args);
      if (ctx.redraw) ctx.redraw(notifyRows(ctx));
    },
  },
};

/** The commands as Telegram's menu lists them (setMyCommands): every one but `start`, with its usage's description. */
export function menuCommands(): Array<{ command: string; description: string }> {
  return Object.entries(telegramCommands)
    .filter(([name]) => name !== 'start')
    .map(([command, { usage }]) => ({ command, description: usage.slice(usage.indexOf(' - ') + 3, 259) }));
}
