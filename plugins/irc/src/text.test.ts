import { describe, expect, it } from 'vitest';
import { splitToBytes, stripControl, textBudget } from './text.js';

describe('stripControl', () => {
  it('turns every run of CR, LF and NUL into one space', () => {
    expect(stripControl('a\r\nQUIT :x\0\0b\rc\nd')).toBe('a QUIT :x b c d');
  });
});

describe('textBudget', () => {
  it('leaves room for the prefix the server adds, a 63-byte host and CRLF', () => {
    // 512 - ":bb!~bb@".length - 63 - " PRIVMSG #ci :".length - 2
    expect(textBudget('bb', 'bb', 'PRIVMSG', '#ci')).toBe(512 - 8 - 63 - 14 - 2);
  });
});

describe('splitToBytes', () => {
  it('keeps short text whole', () => {
    expect(splitToBytes('hello', 10)).toEqual(['hello']);
    expect(splitToBytes('', 10)).toEqual(['']);
  });

  it('breaks at the last space that fits', () => {
    expect(splitToBytes('one two three four', 9)).toEqual(['one two', 'three', 'four']);
  });

  it('cuts a word longer than a line between characters, never inside one', () => {
    const pieces = splitToBytes('☃☃☃☃é', 7);
    expect(pieces).toEqual(['☃☃', '☃☃', 'é']);
    for (const p of pieces) expect(Buffer.byteLength(p)).toBeLessThanOrEqual(7);
  });

  it('keeps surrogate pairs together', () => {
    expect(splitToBytes('😀😀😀', 5)).toEqual(['😀', '😀', '😀']);
  });
});
