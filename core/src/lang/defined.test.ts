import { describe, expect, it } from 'vitest';
import { defined } from './defined.js';

describe('defined', () => {
  it('drops undefined values and keeps every other falsy one', () => {
    const out = defined({ a: undefined, b: null, c: 0, d: '', e: false, f: 'x' });
    expect(out).toStrictEqual({ b: null, c: 0, d: '', e: false, f: 'x' });
    expect('a' in out).toBe(false);
  });

  it('keeps a default when spread over it with an undefined value', () => {
    const timeout: number | undefined = undefined;
    expect({ timeoutMs: 30, ...defined({ timeoutMs: timeout }) }).toEqual({ timeoutMs: 30 });
  });
});
