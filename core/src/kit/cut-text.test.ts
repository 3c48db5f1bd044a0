import { describe, expect, it } from 'vitest';
import { cutText, cutUtf8 } from './cut-text.js';

describe('cutText', () => {
  it('keeps text within the limit, cuts longer text at a code point and ends it with an ellipsis', () => {
    expect(cutText('short', 10)).toBe('short');
    expect(cutText('😀'.repeat(20), 10)).toBe(`${'😀'.repeat(9)}…`);
    expect(Array.from(cutText('x'.repeat(1024 * 1024), 600))).toHaveLength(600);
  });
});

describe('cutUtf8', () => {
  it('keeps text within the byte limit, cuts longer text at a code point and ends it with an ellipsis', () => {
    expect(cutUtf8('short', 5)).toBe('short');
    // 😀 is 4 bytes, … is 3: 9 + 4 * 3 = 21 bytes fit, a 4th emoji would not.
    expect(cutUtf8('😀'.repeat(20), 21)).toBe(`${'😀'.repeat(4)}…`);
    expect(Buffer.byteLength(cutUtf8('é'.repeat(100_000), 15_000), 'utf8')).toBeLessThanOrEqual(15_000);
  });
});
