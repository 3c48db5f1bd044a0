/**
 * `bbreporters explain [CODE]`: the error catalogue entry of a `BBR_…` code (cause, fix, example),
 * which every error the CLI prints points at; without a code, every code with its cause.
 */
import { errorCatalogue, type ErrorCode } from '../diagnostics/errors.js';
import { closest } from '../config/suggest.js';
import { exitCodes, UsageError, write, type Command } from './command.js';

const codes = Object.keys(errorCatalogue) as ErrorCode[];

/** `config_invalid` and `bbr_config_invalid` mean BBR_CONFIG_INVALID: codes are easy to mistype. */
function normalized(code: string): string {
  const upper = code.trim().toUpperCase().replace(/-/g, '_');
  return upper.startsWith('BBR_') ? upper : `BBR_${upper}`;
}

function isCode(code: string): code is ErrorCode {
  return Object.hasOwn(errorCatalogue, code);
}

const indent = (text: string) =>
  text
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');

export function explanation(code: ErrorCode): string {
  const { cause, fix, example } = errorCatalogue[code];
  return [code, '', `cause: ${cause}`, `fix:   ${fix}`, '', 'example:', indent(example)].join('\n');
}

export function codeList(): string {
  const width = Math.max(...codes.map((c) => c.length));
  return [
    ...codes.map((code) => `${code.padEnd(width)}  ${errorCatalogue[code].cause}`),
    '',
    'Run "bbreporters explain CODE" for the fix and an example.',
  ].join('\n');
}

export const explainCommand: Command = {
  name: 'explain',
  summary: 'Explain an error code (BBR_…): its cause, the fix and an example',
  usage: 'bbreporters explain [CODE]\n\nWithout CODE, lists every code with its cause.',
  options: {},
  optionHelp: {},
  allowPositionals: true,
  async run(_values, positionals, io) {
    if (positionals.length > 1) throw new UsageError('give one code at a time');
    if (positionals.length === 0) {
      write(io.stdout, codeList());
      return exitCodes.ok;
    }
    const code = normalized(positionals[0]);
    if (isCode(code)) {
      write(io.stdout, explanation(code));
      return exitCodes.ok;
    }
    const suggestion = closest(code, codes);
    write(
      io.stderr,
      `bbreporters explain: unknown code "${positionals[0]}"${suggestion ? `; did you mean ${suggestion}?` : ''}\n` +
        'Run "bbreporters explain" for the list of codes.',
    );
    return exitCodes.usage;
  },
};
