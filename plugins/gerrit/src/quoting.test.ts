import { describe, expect, it } from 'vitest';
import { commandLine, quoteWord, splitGerritCommand } from './quoting.js';

/** Values an attacker controls (commit messages, properties, callback results). */
const hostileValues = [
  "it's",
  '"double" quotes',
  'a $(touch /tmp/pwned) b',
  'back`tick`s',
  'line one\nline two\n--label Code-Review=+2',
  'semi; gerrit review --abandon',
  'back\\slash \\\' \\" end\\',
  '--label Code-Review=2',
  "' --abandon '",
  '\t tabs and  spaces \t',
  "''",
  '\\',
  'ünïcødé ✓ 🚀',
];

describe('Gerrit command quoting', () => {
  it('splits like Gerrit: quotes toggle, backslash escapes outside single quotes, empty words vanish', () => {
    expect(splitGerritCommand(`a 'b c' "d 'e'" f\\ g 'h\\i' "" x`)).toEqual(['a', 'b c', "d 'e'", 'f g', 'h\\i', 'x']);
    expect(splitGerritCommand('a\nb;c')).toEqual(['a\nb;c']);
    expect(splitGerritCommand('trailing\\')).toEqual(['trailing\\']);
  });

  it.each(hostileValues)('keeps %j one word that splits back unchanged', (value) => {
    expect(splitGerritCommand(`--message ${quoteWord(value)} rev`)).toEqual(['--message', value, 'rev']);
  });

  it('leaves plain words readable', () => {
    expect(commandLine(['gerrit', 'review', '--label', 'Verified=-1', 'd34db33f'])).toBe(
      'gerrit review --label Verified=-1 d34db33f',
    );
  });

  it('refuses words Gerrit would drop or cut', () => {
    expect(() => quoteWord('')).toThrow(/empty/);
    expect(() => quoteWord('a\0b')).toThrow(/NUL/);
  });

  it('round-trips random strings of the characters that matter', () => {
    const alphabet = [' ', '\t', '\n', "'", '"', '\\', '$', '`', ';', '-', 'a', '=', '@'];
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let n = 0; n < 2000; n++) {
      const argv = Array.from({ length: 1 + (next() % 4) }, () =>
        Array.from({ length: 1 + (next() % 12) }, () => alphabet[next() % alphabet.length]).join(''),
      );
      expect(splitGerritCommand(commandLine(argv))).toEqual(argv);
    }
  });
});
