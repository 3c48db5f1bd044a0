import { describe, expect, it } from 'vitest';
import { DEFAULT_DELIVERY_SETTINGS } from './queue.js';
import { retryDelay, WAIT_MARGIN_MS } from './backoff.js';

const settings = { baseDelayMs: 100, maxDelayMs: 1000, maxWaitMs: 5000 };

describe('retryDelay', () => {
  it('grows exponentially with jitter between half and all of the ceiling, capped at maxDelayMs', () => {
    expect(retryDelay(1, settings, undefined, () => 0)).toBe(50);
    expect(retryDelay(1, settings, undefined, () => 1)).toBe(100);
    expect(retryDelay(3, settings, undefined, () => 0)).toBe(200);
    expect(retryDelay(3, settings, undefined, () => 1)).toBe(400);
    expect(retryDelay(10, settings, undefined, () => 1)).toBe(1000);
  });

  it('waits at least what the server asked, with upward jitter only, capped at maxWaitMs', () => {
    expect(retryDelay(1, settings, 2000, () => 0)).toBe(2000 + WAIT_MARGIN_MS);
    expect(retryDelay(1, settings, 2000, () => 1)).toBe(2200 + WAIT_MARGIN_MS);
    expect(retryDelay(1, settings, 60_000, () => 0)).toBe(5000 + WAIT_MARGIN_MS);
    expect(retryDelay(1, settings, 0, () => 1)).toBe(WAIT_MARGIN_MS);
  });

  it('with the default settings, a delivery keeps trying for at least 25 minutes (a remote down for minutes loses nothing)', () => {
    const total = (random: () => number) =>
      Array.from({ length: DEFAULT_DELIVERY_SETTINGS.retries }, (_, i) =>
        retryDelay(i + 1, DEFAULT_DELIVERY_SETTINGS, undefined, random),
      ).reduce((a, b) => a + b, 0);
    expect(total(() => 0)).toBeGreaterThanOrEqual(25 * 60_000);
    expect(total(() => 1)).toBeLessThanOrEqual(60 * 60_000);
  });
});
