import { describe, expect, it } from 'vitest';
import { cutText } from './cut-text.js';

describe('cutText', () => {
  it('keeps text within the limit, cuts longer text at a code point and ends it with an ellipsis', () => {
    expect(cutText('short', 10)).toBe('short');
    expect(cutText('😀'.repeat(20), 10)).toBe(`${'😀'.repeat(9)}…`);
    expect(Array.from(cutText('x'.repeat(1024 * 1024), 600))).toHaveLength(600);
  });
});
