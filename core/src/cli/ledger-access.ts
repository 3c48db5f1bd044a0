/**
 * What `deliveries` and `events` share: the service's delivery ledger (found from `--state-dir`, else
 * the config's `stateDir`, read without loading any plugin), and printing a result as an aligned
 * table on a terminal or as one JSON document otherwise.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseDocument } from '../config/yaml.js';
import { BbrError, reasonOf } from '../diagnostics/errors.js';
import { createLogger } from '../diagnostics/logger.js';
import { substituteEnv } from '../config/env.js';
import { MAX_ALIAS_COUNT } from '../config/limits.js';
import { resolveStateDir } from '../host/defaults.js';
import { SqliteLedger } from '../ledger/sqlite-ledger.js';
import { UsageError, write, type Command, type Io, type Values } from './command.js';
import { configFile, configOption, configOptionHelp } from './config-file.js';
import { parseSince } from './since.js';

export const ledgerOptions: Command['options'] = {
  ...configOption,
  'state-dir': { type: 'string' },
  json: { type: 'boolean' },
};

export const ledgerOptionHelp: Command['optionHelp'] = {
  config: `${configOptionHelp} Only its stateDir is read.`,
  'state-dir': "The service's state folder, instead of the config's stateDir.",
  json: 'Print one JSON document (the default when standard output is not a terminal).',
};

/** Option names every ledger subcommand takes. */
export const LEDGER_OPTION_NAMES = Object.keys(ledgerOptions);

/** Runs `use` on the service's ledger (opened read-write: retries are written to it), then closes it. */
export function withLedger<T>(values: Values, io: Io, use: (ledger: SqliteLedger) => T): T {
  // The CLI only reads and asks; what little the ledger logs goes to standard error.
  const ledger = new SqliteLedger(stateDirOf(values, io), {
    logger: createLogger({ secrets: new Set(), level: 'warn' }),
    mustExist: true,
  });
  try {
    return use(ledger);
  } finally {
    ledger.close();
  }
}

function stateDirOf(values: Values, io: Io): string {
  if (typeof values['state-dir'] === 'string') {
    if (!values['state-dir']) throw new UsageError('--state-dir needs a folder');
    return resolve(values['state-dir']);
  }
  const file = configFile(values);
  return resolveStateDir(dirname(resolve(file)), configuredStateDir(file, io.env));
}

/** The config's `stateDir` (with `${NAME}` substituted), without checking the rest of the config. */
function configuredStateDir(file: string, env: NodeJS.ProcessEnv): string | undefined {
  let data: unknown;
  try {
    const doc = parseDocument(readFileSync(file, 'utf8'));
    if (doc.errors.length) throw doc.errors[0];
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    throw new BbrError('BBR_CONFIG_READ', `cannot read the config file ${file}: ${reasonOf(error)}`, { cause: error });
  }
  const stateDir = (data as { stateDir?: unknown } | null)?.stateDir;
  if (stateDir === undefined) return undefined;
  if (typeof stateDir !== 'string') throw new BbrError('BBR_CONFIG_INVALID', `${file}: stateDir must be a string`);
  const holder = { stateDir };
  const missing = substituteEnv(holder, env);
  if (missing.length) throw new BbrError('BBR_ENV_MISSING', `${file}: ${missing[0].message}`, { details: missing });
  return holder.stateDir;
}

/** JSON with `--json`, or when standard output is not a terminal (a pipe, a program). */
export function wantsJson(values: Values, io: Io): boolean {
  return values.json === true || (io.stdout as { isTTY?: boolean }).isTTY !== true;
}

/** A table for a person at a terminal, one JSON document for a program. */
export function print(io: Io, values: Values, json: unknown, table: () => string): void {
  if (wantsJson(values, io)) printJson(io, json);
  else write(io.stdout, table());
}

export function printJson(io: Io, json: unknown): void {
  write(io.stdout, JSON.stringify(json, null, 2));
}

/** `--since T` as milliseconds since the epoch, when given. */
export function sinceOf(values: Values): number | undefined {
  return typeof values.since === 'string' ? parseSince(values.since) : undefined;
}

/** `--limit N`, when given. */
export function limitOf(values: Values): number | undefined {
  if (typeof values.limit !== 'string') return undefined;
  const limit = Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1)
    throw new UsageError(`--limit "${values.limit}" is not a whole number above 0`);
  return limit;
}

/** A string option's value, when given. */
export function stringOption(values: Values, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

/** Local time to the second, as a person reads it in a table (JSON keeps milliseconds since the epoch). */
export function localTime(ms: number | undefined): string {
  if (ms === undefined) return '-';
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}
