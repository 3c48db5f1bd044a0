import { describe, expect, it } from 'vitest';
import { Results } from '../events/results.js';
import { statusKeyOf } from './status-key.js';

describe('statusKeyOf', () => {
  it("is Buildbot's PRIORITIES / LEVELS table: five results have a key, SKIPPED, RETRY and unfinished none", () => {
    expect(Object.values(Results).map((r) => statusKeyOf(r))).toEqual([
      'passing',
      'warnings',
      'failing',
      undefined,
      'exception',
      undefined,
      'cancelled',
    ]);
    expect(statusKeyOf(null)).toBeUndefined();
  });
});
