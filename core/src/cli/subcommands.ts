/** Commands with subcommands (`deliveries list`): which one was asked, and which options it takes. */
import { closest } from '../config/suggest.js';
import { UsageError, type Values } from './command.js';

/** Per subcommand, the options it takes besides the ones every subcommand takes. */
export type Subcommands<Name extends string> = Record<Name, readonly string[]>;

/**
 * The subcommand `positionals` starts with (removed from them); a wrong one, or an option another
 * subcommand takes, is a usage error naming what is allowed.
 */
export function subcommandOf<Name extends string>(
  command: string,
  table: Subcommands<Name>,
  shared: readonly string[],
  values: Values,
  positionals: string[],
): Name {
  const names = Object.keys(table) as Name[];
  const given = positionals.shift();
  if (given === undefined) throw new UsageError(`which one? ${names.join(', ')}`);
  if (!names.includes(given as Name)) {
    const near = closest(given, names);
    throw new UsageError(
      `unknown subcommand "${given}"${near ? ` (did you mean "${near}"?)` : ''}: one of ${names.join(', ')}`,
    );
  }
  const name = given as Name;
  const allowed = new Set([...shared, ...table[name]]);
  const stray = Object.keys(values).find((option) => values[option] !== undefined && !allowed.has(option));
  if (stray) throw new UsageError(`--${stray} does not apply to "${command} ${name}"`);
  return name;
}
