/**
 * The commands users address to the bot (`nick: status all`, or by private message). State and
 * control come from core's MasterControl; a method the master does not offer answers "not
 * available". Force, stop and shutdown are off unless enabled, then only for `authz` users.
 */
import type { Build, MasterControl } from '@bbreporters/core';
import { isAuthorized, type IrcUser } from './authz.js';
import { colourFor } from './colors.js';
import { ago, resultTitle } from './messages.js';
import { DEFAULT_NOTIFY_ON, isNotifyEvent } from './notify-events.js';
import { shellWords, UsageError } from './shell-words.js';
import { defined } from '@bbreporters/core';

/** What commands may ask of the bot itself. */
export interface BotControl {
  readonly version: string;
  readonly allowForce: boolean;
  readonly allowShutdown: boolean;
  readonly authz: readonly string[];
  readonly useColors: boolean;
  /** Joins; a refusal by the server is told to `replyTo`. */
  join(channel: string, key: string | undefined, replyTo: string): void;
  leave(channel: string, reason: string): void;
  /** Notify events of a scope (a channel, or a nick for private chats), sorted. */
  notifyEvents(scope: string): string[];
  setNotifyEvents(scope: string, events: Iterable<string>): void;
  /** Announces the result of the build to `replyTo` when it finishes. */
  watch(build: Build, replyTo: string): void;
}

export interface CommandContext {
  user: IrcUser;
  /** The channel the command was said in; undefined for a private message. */
  channel?: string;
  master?: MasterControl;
  bot: BotControl;
  reply(text: string): void;
}

interface Command {
  usage: string;
  run(ctx: CommandContext, args: string): Promise<void> | void;
}

const CHANNEL = /^[#&+!][^\s,\x07]{1,49}$/;

const SOURCE_URL = 'https://github.com/buildbot/buildbot';

const validation = {
  branch: /^[\w.+/~-]*$/,
  revision: /^[ \w.\-/]*$/,
  propertyName: /^[\w.\-/~:]*$/,
  propertyValue: /^[\w.\-/~:]*$/,
};

/** The master's method, or a usage error saying the command is not available. */
function need<K extends keyof MasterControl>(
  ctx: CommandContext,
  method: K,
  command: string,
): NonNullable<MasterControl[K]> {
  const fn = ctx.master?.[method];
  if (!fn) throw new UsageError(`Sorry, '${command}' is not available: the master connection offers no ${method}.`);
  return fn.bind(ctx.master) as NonNullable<MasterControl[K]>;
}

/** `alice on #ci`, or `alice` in a private chat (recorded as the owner and in reasons). */
function describeUser(ctx: CommandContext): string {
  return ctx.channel ? `${ctx.user.nick} on ${ctx.channel}` : ctx.user.nick;
}

function requireAuthz(ctx: CommandContext, what: string): void {
  if (!isAuthorized(ctx.user, ctx.bot.authz))
    throw new UsageError(`Sorry, ${ctx.user.nick}: you are not authorized to ${what}.`);
}

async function builderNames(ctx: CommandContext, command: string): Promise<string[]> {
  const builders = await need(ctx, 'builders', command)();
  if (builders.length === 0) throw new UsageError('no builders known yet');
  return builders.map((b) => b.name);
}

/** `all` → every builder; a name → that builder, checked against the master's list when it offers one. */
async function resolveBuilders(ctx: CommandContext, which: string, command: string): Promise<string[]> {
  if (which === 'all') return builderNames(ctx, command);
  if (ctx.master?.builders) {
    const names = await builderNames(ctx, command);
    if (!names.includes(which)) throw new UsageError(`no such builder '${which}'`);
  }
  return [which];
}

function buildSummary(ctx: CommandContext, build: Build): string {
  const when = build.complete_at ?? build.started_at;
  return `last build ${ago(Date.now() / 1000 - when)} ago: ${colourFor(build.results, resultTitle(build.results), ctx.bot.useColors)} [${build.state_string}]`;
}

async function builderStatusLine(ctx: CommandContext, name: string): Promise<string> {
  const status = await need(ctx, 'builderStatus', 'status')(name);
  if (!status) throw new UsageError(`no such builder '${name}'`);
  if (status.state === 'offline') return `${name}: offline`;
  if (status.running.length > 0) {
    return `${name}: running: ${status.running.map((b) => `#${b.number} (${b.state_string || 'no current step'})`).join(', ')}`;
  }
  const last = ctx.master?.lastBuild ? await ctx.master.lastBuild(name) : undefined;
  return last ? `${name}: idle, ${buildSummary(ctx, last)}` : `${name}: idle`;
}

function parseForce(words: string[]): {
  builder: string;
  reason: string;
  branch?: string;
  revision?: string;
  codebase?: string;
  properties?: Record<string, string>;
} {
  const usage =
    "try 'force build [--codebase=CODEBASE] [--branch=BRANCH] [--revision=REVISION] [--props=PROP1=VAL1,PROP2=VAL2...] <BUILDER> <REASON>'";
  if (words[0] !== 'build') throw new UsageError(usage);
  const options: Record<string, string> = {};
  const positional: string[] = [];
  for (let i = 1; i < words.length; i++) {
    const word = words[i]!;
    const option = /^--(codebase|branch|revision|props)(?:=(.*))?$/s.exec(word);
    if (option) {
      const value = option[2] ?? words[++i];
      if (value === undefined) throw new UsageError(`--${option[1]} needs a value`);
      options[option[1]!] = value;
    } else if (word.startsWith('--')) {
      throw new UsageError(`unknown option '${word}'; ${usage}`);
    } else {
      positional.push(word);
    }
  }
  const [builder, ...reason] = positional;
  if (!builder) throw new UsageError(`no builder specified; ${usage}`);
  if (options.branch !== undefined && !validation.branch.test(options.branch))
    throw new UsageError(`sorry, bad branch '${options.branch}'`);
  if (options.revision !== undefined && !validation.revision.test(options.revision))
    throw new UsageError(`sorry, bad revision '${options.revision}'`);
  let properties: Record<string, string> | undefined;
  if (options.props !== undefined) {
    properties = {};
    for (const item of options.props.split(',').filter(Boolean)) {
      const eq = item.indexOf('=');
      const name = eq < 0 ? item : item.slice(0, eq);
      const value = eq < 0 ? '' : item.slice(eq + 1);
      if (eq <= 0 || !validation.propertyName.test(name) || !validation.propertyValue.test(value)) {
        throw new UsageError(`sorry, bad property name='${name}', value='${value}'`);
      }
      properties[name] = value;
    }
  }
  return {
    builder,
    reason: reason.join(' '),
    ...defined({ branch: options.branch, revision: options.revision, codebase: options.codebase }),
    ...(properties ? { properties } : {}),
  };
}

function notifyReply(events: string[]): string {
  return events.length
    ? `The following events are being notified: ${events.join(', ')}.`
    : 'No events are being notified.';
}

export const commands: Record<string, Command> = {
  list: {
    usage: 'list builders - list configured builders',
    async run(ctx, args) {
      const words = shellWords(args);
      if (words.length !== 1 || words[0] !== 'builders') throw new UsageError("try 'list builders'");
      const names = await builderNames(ctx, 'list builders');
      const status = ctx.master?.builderStatus?.bind(ctx.master);
      const entries = await Promise.all(
        names.map(async (name) => ((await status?.(name))?.state === 'offline' ? `${name} [offline]` : name)),
      );
      ctx.reply(`Configured builders: ${entries.join(' ')}`);
    },
  },
  status: {
    usage: 'status [<builder>|all] - report the status of a builder (or all builders)',
    async run(ctx, args) {
      const words = shellWords(args);
      if (words.length > 1) throw new UsageError("try 'status <builder>'");
      for (const name of await resolveBuilders(ctx, words[0] ?? 'all', 'status'))
        ctx.reply(await builderStatusLine(ctx, name));
    },
  },
  last: {
    usage: 'last [<builder>|all] - the result of the last build of a builder (or all builders)',
    async run(ctx, args) {
      const words = shellWords(args);
      if (words.length > 1) throw new UsageError("try 'last <builder>'");
      const lastBuild = need(ctx, 'lastBuild', 'last');
      for (const name of await resolveBuilders(ctx, words[0] ?? 'all', 'last')) {
        const build = await lastBuild(name);
        ctx.reply(`last build [${name}]: ${build ? buildSummary(ctx, build) : '(no builds run since last restart)'}`);
      }
    },
  },
  watch: {
    usage: 'watch <builder> - announce the result of the builds running now when they finish',
    async run(ctx, args) {
      const words = shellWords(args);
      if (words.length !== 1) throw new UsageError("try 'watch <builder>'");
      const [name] = await resolveBuilders(ctx, words[0]!, 'watch');
      const status = await need(ctx, 'builderStatus', 'watch')(name!);
      if (!status) throw new UsageError(`no such builder '${name}'`);
      if (status.running.length === 0) {
        ctx.reply('there are no builds currently running');
        return;
      }
      for (const build of status.running) {
        ctx.bot.watch(build, ctx.channel ?? ctx.user.nick);
        ctx.reply(`watching build ${name} #${build.number} until it finishes..`);
      }
    },
  },
  notify: {
    usage: 'notify on|off|list [<EVENT>...] - change or show the events announced here',
    run(ctx, args) {
      const [action, ...events] = shellWords(args);
      const scope = ctx.channel ?? ctx.user.nick;
      if (action !== 'on' && action !== 'off' && action !== 'list')
        throw new UsageError("try 'notify on|off|list [<EVENT>]'");
      const invalid = events.find((e) => !isNotifyEvent(e));
      if (invalid !== undefined) throw new UsageError(`try 'notify on|off <EVENT>': '${invalid}' is not an event`);
      const current = new Set(ctx.bot.notifyEvents(scope));
      if (action === 'on') for (const e of events.length ? events : DEFAULT_NOTIFY_ON) current.add(e);
      if (action === 'off') {
        if (events.length === 0) current.clear();
        for (const e of events) current.delete(e);
      }
      if (action !== 'list') ctx.bot.setNotifyEvents(scope, current);
      ctx.reply(notifyReply(ctx.bot.notifyEvents(scope)));
    },
  },
  join: {
    usage: 'join <#channel> [<key>] - join a channel',
    run(ctx, args) {
      const [channel, key, ...extra] = shellWords(args);
      if (!channel || !CHANNEL.test(channel) || extra.length) throw new UsageError("try 'join <#channel> [<key>]'");
      requireAuthz(ctx, 'make me join channels');
      ctx.reply(`Joining ${channel}`);
      ctx.bot.join(channel, key, ctx.channel ?? ctx.user.nick);
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
  help: {
    usage: 'help [<command>] - usage of a command; help commands lists them',
    run(ctx, args) {
      const [name, ...extra] = shellWords(args);
      if (name === undefined) {
        ctx.reply("Get help on what? (try 'help <command>', or 'help commands' for a command list)");
        return;
      }
      if (name === 'commands' && extra.length === 0) {
        ctx.reply(commandList());
        return;
      }
      const command = Object.hasOwn(commands, name.toLowerCase()) ? commands[name.toLowerCase()] : undefined;
      if (!command) throw new UsageError(`no such command '${name}'`);
      ctx.reply(`Usage: ${command.usage}`);
    },
  },
  commands: {
    usage: 'commands - list the commands',
    run(ctx) {
      ctx.reply(commandList());
    },
  },
  source: {
    usage: 'source - the URL of the source code',
    run(ctx) {
      ctx.reply(`My source can be found at ${SOURCE_URL}`);
    },
  },
  version: {
    usage: 'version - the version of this bot',
    run(ctx) {
      ctx.reply(`bbreporters-irc-${ctx.bot.version} at your service`);
    },
  },
  hello: {
    usage: 'hello - say hello',
    run(ctx) {
      ctx.reply('yes?');
    },
  },
  force: {
    usage:
      'force build [--codebase=CODEBASE] [--branch=BRANCH] [--revision=REVISION] [--props=PROP1=VAL1,PROP2=VAL2...] <BUILDER> <REASON> - start a build',
    async run(ctx, args) {
      if (!ctx.bot.allowForce) throw new UsageError('force control is not enabled');
      requireAuthz(ctx, 'force builds');
      const request = parseForce(shellWords(args));
      await resolveBuilders(ctx, request.builder, 'force');
      const force = need(ctx, 'forceBuild', 'force build');
      const who = describeUser(ctx);
      try {
        const { buildsetId } = await force({ ...request, reason: `forced: by ${who}: ${request.reason}`, owner: who });
        ctx.reply(`Force build successfully requested (buildset ${buildsetId}).`);
      } catch (error) {
        ctx.reply(`I can't: ${error instanceof Error ? error.message : String(error)}`);
      }
    },
  },
  stop: {
    usage: 'stop build <BUILDER> <REASON> - stop the running builds of a builder',
    async run(ctx, args) {
      if (!ctx.bot.allowForce) throw new UsageError('stop control is not enabled');
      requireAuthz(ctx, 'stop builds');
      const [first, builder, ...reason] = shellWords(args);
      if (first !== 'build' || !builder || reason.length === 0)
        throw new UsageError("try 'stop build <BUILDER> <REASON>'");
      await resolveBuilders(ctx, builder, 'stop');
      const stop = need(ctx, 'stopBuild', 'stop build');
      const running = ctx.master?.builderStatus
        ? ((await ctx.master.builderStatus(builder))?.running ?? [])
        : undefined;
      const { stopped } = await stop({ builder, reason: `stopped: by ${describeUser(ctx)}: ${reason.join(' ')}` });
      if (stopped === 0) ctx.reply('sorry, no build is currently running');
      else if (running?.length === stopped) for (const b of running) ctx.reply(`build ${b.number} interrupted`);
      else ctx.reply(`${stopped} build${stopped > 1 ? 's' : ''} of ${builder} interrupted`);
    },
  },
  shutdown: {
    usage: 'shutdown check|start|stop|now - control the shutdown of the master',
    async run(ctx, args) {
      if (!ctx.bot.allowShutdown) throw new UsageError('shutdown control is not enabled');
      requireAuthz(ctx, 'shut the master down');
      const [mode, ...extra] = shellWords(args);
      if ((mode !== 'check' && mode !== 'start' && mode !== 'stop' && mode !== 'now') || extra.length) {
        throw new UsageError("try 'shutdown check|start|stop|now'");
      }
      ctx.reply(await need(ctx, 'shutdown', 'shutdown')(mode));
    },
  },
};

function commandList(): string {
  return `buildbot commands: ${Object.keys(commands).sort().join(', ')}`;
}

/**
 * Runs one command line (`status all`). A usage error is answered with its text, an unknown
 * command with a short hint, anything else with "Something bad happened" (and logged).
 */
export async function runCommand(line: string, ctx: CommandContext, logError: (error: unknown) => void): Promise<void> {
  const trimmed = line.trim();
  if (!trimmed) return;
  const space = trimmed.search(/\s/);
  const name = (space < 0 ? trimmed : trimmed.slice(0, space)).toLowerCase();
  const args = space < 0 ? '' : trimmed.slice(space + 1).trim();
  const command = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!command) {
    ctx.reply(trimmed.endsWith('!') ? 'What you say!' : `I don't get this '${name}'. Try 'help commands'.`);
    return;
  }
  try {
    await command.run(ctx, args);
  } catch (error) {
    if (error instanceof UsageError) {
      ctx.reply(error.message);
    } else {
      logError(error);
      ctx.reply('Something bad happened (see logs)');
    }
  }
}
