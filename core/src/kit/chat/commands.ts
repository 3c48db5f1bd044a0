/**
 * The commands users address to a chat bot (Buildbot's words engine: `nick: status all` on IRC,
 * `/status all` on Telegram). State and control come from core's MasterControl; a method the
 * master does not offer answers "not available". Force, stop and shutdown are off unless
 * enabled, then only for authorised users. Each front end adds its own commands (IRC's join and
 * leave, Telegram's start and getid) to `chatCommands`.
 */
import type { Build } from '../../events/events.js';
import type { MasterControl } from '../../buildbot-api/master-control.js';
import { defined } from '../../lang/defined.js';
import { DEFAULT_NOTIFY_ON, isNotifyEvent } from './notify-events.js';
import { shellWords, UsageError } from './shell-words.js';
import { ago } from './words.js';

/** What commands may ask of the bot itself. */
export interface BotControl {
  /** `bbreporters-irc-0.1.0`: the `version` command's name for the bot. */
  readonly product: string;
  readonly allowForce: boolean;
  readonly allowShutdown: boolean;
  /** A result as this chat shows it (IRC: coloured title). */
  resultText(results: number | null): string;
  /** Notify events of a scope (a channel, a nick or a chat), sorted. */
  notifyEvents(scope: string): string[];
  setNotifyEvents(scope: string, events: Iterable<string>): void;
  /** Announces the result of the build to `scope` when it finishes. */
  watch(build: Build, scope: string): void;
}

export interface CommandContext<B extends BotControl = BotControl> {
  /** How replies and reasons name who asked (an IRC nick, a Telegram user's name). */
  user: { name: string };
  /** Whether the user may run the dangerous commands (the front end's `authz`). */
  authorized: boolean;
  /** The channel or group the command was said in; undefined in a private chat. */
  channel?: string;
  /** Where replies, notify settings and watches belong: the channel, or the private chat. */
  scope: string;
  master?: MasterControl;
  bot: B;
  /** The commands this bot knows (for `help` and `commands`). */
  commands: Commands<CommandContext<B>>;
  reply(text: string): void;
}

export interface Command<C extends CommandContext = CommandContext> {
  usage: string;
  run(ctx: C, args: string): Promise<void> | void;
}

export type Commands<C extends CommandContext = CommandContext> = Record<string, Command<C>>;

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
export function describeUser(ctx: CommandContext): string {
  return ctx.channel ? `${ctx.user.name} on ${ctx.channel}` : ctx.user.name;
}

/** Refuses a dangerous command to a user the front end's `authz` does not name. */
export function requireAuthz(ctx: CommandContext, what: string): void {
  if (!ctx.authorized) throw new UsageError(`Sorry, ${ctx.user.name}: you are not authorized to ${what}.`);
}

/** Force, stop and shutdown: refused unless enabled, then to users outside authz. */
export function requireControl(ctx: CommandContext, command: 'force' | 'stop' | 'shutdown'): void {
  const enabled = command === 'shutdown' ? ctx.bot.allowShutdown : ctx.bot.allowForce;
  if (!enabled) throw new UsageError(`${command} control is not enabled`);
  requireAuthz(ctx, { force: 'force builds', stop: 'stop builds', shutdown: 'shut the master down' }[command]);
}

/** The master's builder names (a usage error when it offers none). */
export async function builderNames(ctx: CommandContext, command: string): Promise<string[]> {
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
  return `last build ${ago(Date.now() / 1000 - when)} ago: ${ctx.bot.resultText(build.results)} [${build.state_string}]`;
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

/** The words engine's commands, as every chat front end offers them. */
export const chatCommands: Commands = {
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
        ctx.bot.watch(build, ctx.scope);
        ctx.reply(`watching build ${name} #${build.number} until it finishes..`);
      }
    },
  },
  notify: {
    usage:
      'notify on|off|on-quiet|off-quiet|list [<EVENT>...] - change or show the events announced here (-quiet: without the list reply)',
    run(ctx, args) {
      const [action = '', ...events] = shellWords(args);
      const change = /^(on|off)(-quiet)?$/.exec(action);
      if (!change && action !== 'list') throw new UsageError("try 'notify on|off|list [<EVENT>]'");
      const invalid = events.find((e) => !isNotifyEvent(e));
      if (invalid !== undefined) throw new UsageError(`try 'notify on|off <EVENT>': '${invalid}' is not an event`);
      if (change) {
        const current = new Set(ctx.bot.notifyEvents(ctx.scope));
        if (change[1] === 'on') for (const e of events.length ? events : DEFAULT_NOTIFY_ON) current.add(e);
        else if (events.length === 0) current.clear();
        else for (const e of events) current.delete(e);
        ctx.bot.setNotifyEvents(ctx.scope, current);
        if (change[2]) return;
      }
      ctx.reply(notifyReply(ctx.bot.notifyEvents(ctx.scope)));
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
        ctx.reply(commandList(ctx));
        return;
      }
      const command = Object.hasOwn(ctx.commands, name.toLowerCase()) ? ctx.commands[name.toLowerCase()] : undefined;
      if (!command) throw new UsageError(`no such command '${name}'`);
      ctx.reply(`Usage: ${command.usage}`);
    },
  },
  commands: {
    usage: 'commands - list the commands',
    run(ctx) {
      ctx.reply(commandList(ctx));
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
      ctx.reply(`${ctx.bot.product} at your service`);
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
      requireControl(ctx, 'force');
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
      requireControl(ctx, 'stop');
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
      requireControl(ctx, 'shutdown');
      const [mode, ...extra] = shellWords(args);
      if ((mode !== 'check' && mode !== 'start' && mode !== 'stop' && mode !== 'now') || extra.length) {
        throw new UsageError("try 'shutdown check|start|stop|now'");
      }
      ctx.reply(await need(ctx, 'shutdown', 'shutdown')(mode));
    },
  },
};

function commandList(ctx: CommandContext): string {
  return `buildbot commands: ${Object.keys(ctx.commands).sort().join(', ')}`;
}

/**
 * Runs one command line (`status all`). A usage error is answered with its text, an unknown
 * command with a short hint, anything else with "Something bad happened" (and logged).
 */
export async function runCommand<C extends CommandContext>(
  line: string,
  ctx: C,
  logError: (error: unknown) => void,
): Promise<void> {
  const trimmed = line.trim();
  if (!trimmed) return;
  const space = trimmed.search(/\s/);
  const name = (space < 0 ? trimmed : trimmed.slice(0, space)).toLowerCase();
  const args = space < 0 ? '' : trimmed.slice(space + 1).trim();
  const command = Object.hasOwn(ctx.commands, name) ? ctx.commands[name] : undefined;
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
