/**
 * Making text safe and small enough for IRC: CR, LF and NUL end or corrupt an IRC command, so
 * they never leave event data or arguments; a line (prefix and CRLF included) fits 512 bytes.
 */

/** Replaces every run of CR, LF and NUL with one space: text can never start a second IRC command. */
export function stripControl(text: string): string {
  return text.replace(/[\r\n\0]+/g, ' ');
}

/** The longest possible host part of the prefix the server puts before our messages. */
const MAX_HOST_LENGTH = 63;

/**
 * Bytes left for the text of `COMMAND target :text` once the server relays it as
 * `:nick!~user@host COMMAND target :text\r\n` (512 bytes at most).
 */
export function textBudget(nick: string, username: string, command: string, target: string): number {
  return (
    512 -
    Buffer.byteLength(`:${nick}!~${username}@`) -
    MAX_HOST_LENGTH -
    Buffer.byteLength(` ${command} ${target} :`) -
    2
  );
}

/**
 * Splits `text` into pieces of at most `maxBytes` UTF-8 bytes, never inside a character,
 * preferring to break at a space.
 */
export function splitToBytes(text: string, maxBytes: number): string[] {
  if (maxBytes < 4) throw new RangeError(`a line needs room for at least one character (got ${maxBytes} bytes)`);
  const pieces: string[] = [];
  let rest = text;
  while (Buffer.byteLength(rest) > maxBytes) {
    let bytes = 0;
    let cut = 0;
    let lastSpace = -1;
    for (const char of rest) {
      const size = Buffer.byteLength(char);
      if (bytes + size > maxBytes) break;
      if (char === ' ') lastSpace = cut;
      bytes += size;
      cut += char.length;
    }
    if (lastSpace > 0) {
      pieces.push(rest.slice(0, lastSpace));
      rest = rest.slice(lastSpace + 1);
    } else {
      pieces.push(rest.slice(0, cut));
      rest = rest.slice(cut);
    }
  }
  if (rest.length > 0 || pieces.length === 0) pieces.push(rest);
  return pieces;
}
