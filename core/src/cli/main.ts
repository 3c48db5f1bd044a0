#!/usr/bin/env node
/** `bbreporters`: the command line. `bbreporters --help` lists the commands; each has `--help`. */
import { readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { exitCodes, UsageError, write, type Command, type Io } from './command.js';
import { loadCommand, loadCommands } from './commands.js';

const version = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

async function overview(): Promise<string> {
  const commands = await loadCommands();
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    `bbreporters ${version}: CI build events to notifications (Buildbot's reporters as plugins)`,
    '',
    'Usage: bbreporters COMMAND [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run "bbreporters COMMAND --help" for a command\'s options, "bbreporters explain CODE" for an error code.',
    'Exit codes: 0 success, 1 invalid input (config, event, plugin), 2 wrong command line, 3 failure while running.',
  ].join('\n');
}

export function helpFor(command: Command): string {
  const rows = Object.entries(command.options).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : '    '}--${name}${o.type === 'string' ? ' VALUE' : ''}`;
    return [flag, command.optionHelp[name] ?? ''] as const;
  });
  rows.push(['-h, --help', 'Show this help.']);
  const width = Math.max(...rows.map(([flag]) => flag.length));
  return [
    `${command.summary}.`,
    '',
    `Usage: ${command.usage}`,
    '',
    'Options:',
    ...rows.map(([flag, text]) => `  ${flag.padEnd(width)}  ${text}`),
  ].join('\n');
}

/** Runs one command line; resolves with the exit code. */
export async function main(argv: string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const command = rest[0] === undefined ? undefined : await loadCommand(rest[0]);
    write(io.stdout, command ? helpFor(command) : await overview());
    return name === undefined ? exitCodes.usage : exitCodes.ok;
  }
  if (name === '--version' || name === '-v') {
    write(io.stdout, version);
    return exitCodes.ok;
  }
  const command = await loadCommand(name);
  if (!command) {
    write(io.stderr, `bbreporters: unknown command "${name}"\n\n${await overview()}`);
    return exitCodes.usage;
  }
  try {
    const { values, positionals } = parseArgs({
      args: rest,
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: command.allowPositionals ?? false,
      strict: true,
    });
    if (values.help) {
      write(io.stdout, helpFor(command));
      return exitCodes.ok;
    }
    return await command.run(values, positionals, io);
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      write(io.stderr, `bbreporters ${command.name}: ${(error as Error).message}\n\n${helpFor(command)}`);
      return exitCodes.usage;
    }
    throw error;
  }
}

/** Resolves with the first stop signal; a second one ends the process at once. */
function stopSignals(): Promise<string> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off('SIGTERM', onSignal).off('SIGINT', onSignal);
      process
        .once('SIGTERM', () => process.exit(exitCodes.failure))
        .once('SIGINT', () => process.exit(exitCodes.failure));
      resolve(signal);
    };
    process.on('SIGTERM', onSignal).on('SIGINT', onSignal);
  });
}

/** Runs the command line of this process and exits with its code (the `bbreporters` bin calls this). */
export function runAsProgram(): void {
  const io: Io = {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    stopRequested: stopSignals(),
  };
  main(process.argv.slice(2), io).then(
    (code) => {
      process.exitCode = code;
      // A handle a plugin left open (a socket it never closed) must not keep a finished command alive.
      setTimeout(() => process.exit(code), 100).unref();
    },
    (error: unknown) => {
      process.stderr.write(`bbreporters: unexpected error: ${error instanceof Error ? error.stack : String(error)}\n`);
      process.exit(exitCodes.failure);
    },
  );
}

// `node core/dist/cli/main.js …` works too (npm start, the tests).
if (process.argv[1] && fileURLToPath(import.meta.url) === realpathSync(process.argv[1])) runAsProgram();
