/**
 * An SSH exec request carries one command string; Gerrit's SSH daemon splits it into argv with
 * its own rules (CommandFactoryProvider.split): space and tab separate words outside quotes;
 * `'` and `"` toggle quoting (each literal inside the other); a backslash outside single quotes
 * takes the next character literally; empty words vanish. Newlines and `;`, `$`, backticks mean
 * nothing to it. `quoteWord` makes any string one word under these rules (and under POSIX sh,
 * which uses the same single-quote form), so event data can never add or change an argument.
 */

/** Words that need no quotes: nothing Gerrit's splitter (or a shell) treats specially. */
const plainWord = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** One word under Gerrit's (and sh's) splitting: `it's` → `'it'\''s'`. */
export function quoteWord(value: string): string {
  if (value === '') throw new Error('an empty word cannot be passed: Gerrit drops empty words');
  if (value.includes('\0')) throw new Error('a word cannot contain a NUL character');
  if (plainWord.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** The command string that Gerrit splits back into exactly `argv`. */
export function commandLine(argv: readonly string[]): string {
  const line = argv.map(quoteWord).join(' ');
  const back = splitGerritCommand(line);
  // The invariant everything rests on: checked on every command, not only in tests.
  if (back.length !== argv.length || back.some((word, i) => word !== argv[i])) {
    throw new Error(`internal error: the command line does not split back into its arguments: ${line}`);
  }
  return line;
}

/** Gerrit's split of an SSH command string into argv (CommandFactoryProvider.split, ported as is). */
export function splitGerritCommand(line: string): string[] {
  const words: string[] = [];
  let inSingle = false;
  let inDouble = false;
  let word = '';
  for (let i = 0; i < line.length;) {
    const c = line[i++];
    switch (c) {
      case '\t':
      case ' ':
        if (inSingle || inDouble) word += c;
        else if (word.length > 0) {
          words.push(word);
          word = '';
        }
        break;
      case '"':
        if (inSingle) word += c;
        else inDouble = !inDouble;
        break;
      case "'":
        if (inDouble) word += c;
        else inSingle = !inSingle;
        break;
      case '\\':
        if (inSingle || i === line.length) word += c;
        else word += line[i++];
        break;
      default:
        word += c;
    }
  }
  if (word.length > 0) words.push(word);
  return words;
}
