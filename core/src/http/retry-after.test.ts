import { describe, expect, it } from 'vitest';
import { isRetryableStatus } from './errors.js';
import { parseRetryAfter, waitFromHeaders } from './retry-after.js';

const now = Date.parse('2026-01-01T00:00:00Z');

describe('server-requested waits', () => {
  it('Retry-After in seconds and as an HTTP date', () => {
    expect(parseRetryAfter('2', now)).toBe(2000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-5', now)).toBeUndefined();
  });

  it('X-RateLimit-Reset (epoch seconds) only when X-RateLimit-Remaining is 0', () => {
    const reset = String(now / 1000 + 42);
    expect(waitFromHeaders({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset }, now)).toBe(42_000);
    expect(waitFromHeaders({ 'x-ratelimit-remaining': '17', 'x-ratelimit-reset': reset }, now)).toBeUndefined();
  });

  it('RateLimit-Reset as epoch seconds (GitLab) or delta seconds (IETF draft)', () => {
    expect(waitFromHeaders({ 'ratelimit-remaining': '0', 'ratelimit-reset': String(now / 1000 + 9) }, now)).toBe(9000);
    expect(waitFromHeaders({ 'ratelimit-reset': '7' }, now)).toBe(7000);
    expect(waitFromHeaders({ 'ratelimit-remaining': '3', 'ratelimit-reset': '7' }, now)).toBeUndefined();
  });

  it('Retry-After wins over rate-limit headers', () => {
    expect(
      waitFromHeaders(
        { 'retry-after': '1', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(now / 1000 + 60) },
        now,
      ),
    ).toBe(1000);
  });
});

describe('which statuses are retried', () => {
  it('408, 429 and 5xx are; other 4xx are not, unless a 403 is a rate limit', () => {
    expect([408, 429, 500, 502, 503].every((s) => isRetryableStatus(s))).toBe(true);
    expect([400, 401, 403, 404, 409, 422].some((s) => isRetryableStatus(s))).toBe(false);
    expect(isRetryableStatus(403, { 'x-ratelimit-remaining': '0' })).toBe(true);
    expect(isRetryableStatus(403, { 'retry-after': '60' })).toBe(true);
  });
});
