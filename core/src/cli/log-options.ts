/**
 * `--log-level LEVEL` and `--log-format json|pretty`, shared by the commands that log (`run`,
 * `preview`): which lines are written to standard error, and how they look.
 */
import type { DestinationStream } from 'pino';
import { readSchema } from '../contracts/schemas.js';
import { batchedLines } from '../diagnostics/batched-lines.js';
import { prettyLogLines } from '../diagnostics/pretty-logs.js';
import { UsageError, type Command, type Io, type Values } from './command.js';

/** The levels the config's `logLevel` takes (pino's). */
const LEVELS = (readSchema('config.schema.json') as { properties: { logLevel: { enum: string[] } } }).properties
  .logLevel.enum;
const FORMATS = ['json', 'pretty'];

export const logOptions: Command['options'] = {
  'log-level': { type: 'string' },
  'log-format': { type: 'string' },
};

export const logOptionHelp: Command['optionHelp'] = {
  'log-level': `${LEVELS.join(', ')}.`,
  'log-format':
    'json (one JSON object a line) or pretty (local time, coloured on a terminal). Default: pretty when standard error is a terminal, else json.',
};

function checked(value: string, allowed: string[], where: string): string {
  if (!allowed.includes(value)) throw new UsageError(`${where} "${value}" is not one of: ${allowed.join(', ')}`);
  return value;
}

/** `--log-level`, when given. */
export function logLevelFlag(values: Values): string | undefined {
  const level = values['log-level'];
  return typeof level === 'string' ? checked(level, LEVELS, '--log-level') : undefined;
}

/** A service's level when the command line or the environment sets one: `--log-level`, else `BBR_LOG_LEVEL`. Otherwise the config's `logLevel` applies (default info). */
export function serviceLogLevel(values: Values, io: Io): string | undefined {
  const fromEnv = io.env.BBR_LOG_LEVEL;
  return logLevelFlag(values) ?? (fromEnv ? checked(fromEnv, LEVELS, 'BBR_LOG_LEVEL') : undefined);
}

/** Where log lines go: standard error, pretty for a person at a terminal, JSON lines for a machine. */
export function logDestination(values: Values, io: Io): DestinationStream {
  const terminal = (io.stderr as { isTTY?: boolean }).isTTY === true;
  const flag = values['log-format'];
  const format = typeof flag === 'string' ? checked(flag, FORMATS, '--log-format') : terminal ? 'pretty' : 'json';
  if (format === 'pretty') return prettyLogLines(io.stderr, { colour: terminal && !io.env.NO_COLOR });
  return batchedLines(io.stderr);
}
