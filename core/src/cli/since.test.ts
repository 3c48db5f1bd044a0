import { describe, expect, it } from 'vitest';
import { UsageError } from './command.js';
import { parseSince } from './since.js';

describe('--since', () => {
  const now = Date.parse('2026-11-30T12:00:00Z');

  it('takes a duration back from now in seconds, minutes, hours or days', () => {
    expect(parseSince('90s', now)).toBe(now - 90_000);
    expect(parseSince('30m', now)).toBe(now - 30 * 60_000);
    expect(parseSince('2h', now)).toBe(Date.parse('2026-11-30T10:00:00Z'));
    expect(parseSince('7d', now)).toBe(Date.parse('2026-11-23T12:00:00Z'));
  });

  it('takes an ISO time or date', () => {
    expect(parseSince('2026-11-30T06:00:00Z', now)).toBe(Date.parse('2026-11-30T06:00:00Z'));
    expect(parseSince('2026-11-29', now)).toBe(Date.parse('2026-11-29'));
  });

  it('refuses what Date.parse would guess at, as a usage error', () => {
    for (const text of ['1', 'May', 'yesterday', '2w', '-2h', '2026-13-45'])
      expect(() => parseSince(text, now), text).toThrow(UsageError);
  });
});
