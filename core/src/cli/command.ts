/** What every `bbreporters` command is: a name, its help, its options, and a run function. */
import type { ParseArgsConfig } from 'node:util';

/** Exit codes, documented in docs/cli.md. */
export const exitCodes = {
  /** Success. */
  ok: 0,
  /** The config, an event or a plugin is invalid, or the service refused an event (`emit`). */
  invalid: 1,
  /** Wrong command line: unknown command or option, missing argument, unknown reporter name. */
  usage: 2,
  /** Something failed while running: a source could not start, a plugin's setup failed, the service could not be reached. */
  failure: 3,
} as const;

export interface Io {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream;
  env: NodeJS.ProcessEnv;
  /** Resolves when the process is asked to stop (SIGTERM, SIGINT). */
  stopRequested: Promise<string>;
}

export type Values = Record<string, string | boolean | string[] | boolean[] | undefined>;

export interface Command {
  name: string;
  /** One line for `bbreporters --help`. */
  summary: string;
  /** The full `--help` text (without the options' table, which comes from `options`). */
  usage: string;
  options: NonNullable<ParseArgsConfig['options']>;
  /** Help for each option, by name. */
  optionHelp: Record<string, string>;
  allowPositionals?: boolean;
  run(values: Values, positionals: string[], io: Io): Promise<number>;
}

/** A wrong command line: printed with the command's usage, exit 2. */
export class UsageError extends Error {}

export function requireString(values: Values, name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || !value) throw new UsageError(`--${name} is required`);
  return value;
}

export function write(stream: NodeJS.WritableStream, text: string): void {
  stream.write(text.endsWith('\n') ? text : `${text}\n`);
}

/** The whole text of a stream (standard input). */
export async function readText(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}
