import { describe, expect, it } from 'vitest';
import { atLeast, parseVersionOutput, VERSION_CACHE_MS, VersionCache } from './version.js';

describe('Gerrit version', () => {
  it('reads `gerrit version` output, ignoring what follows the number', () => {
    expect(parseVersionOutput('gerrit version 2.14\n')).toEqual([2, 14]);
    expect(parseVersionOutput('gerrit version 3.9.1-35-gdeadbee\ngarbage')).toEqual([3, 9, 1]);
  });

  it('says it cannot interpret anything else', () => {
    expect(() => parseVersionOutput('fatal: not a gerrit\n')).toThrow(/Cannot interpret gerrit version info/);
  });

  it('compares part by part', () => {
    expect(atLeast([2, 13], [2, 6])).toBe(true);
    expect(atLeast([2, 6], [2, 6])).toBe(true);
    expect(atLeast([2, 4, 9], [2, 6])).toBe(false);
    expect(atLeast([3], [2, 13])).toBe(true);
  });

  it('asks once for concurrent callers and again after 10 minutes', async () => {
    let now = 0;
    let asked = 0;
    const cache = new VersionCache(
      async () => (asked++, 'gerrit version 3.1'),
      () => now,
    );
    await Promise.all([cache.get(), cache.get()]);
    expect(asked).toBe(1);
    now = VERSION_CACHE_MS - 1;
    await cache.get();
    expect(asked).toBe(1);
    now = VERSION_CACHE_MS + 1;
    await cache.get();
    expect(asked).toBe(2);
  });

  it('does not remember a failed question', async () => {
    let fail = true;
    const cache = new VersionCache(async () => {
      if (fail) throw new Error('refused');
      return 'gerrit version 2.6';
    });
    await expect(cache.get()).rejects.toThrow('refused');
    fail = false;
    await expect(cache.get()).resolves.toEqual([2, 6]);
  });
});
