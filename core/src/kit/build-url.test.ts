import { describe, expect, it } from 'vitest';
import { buildUrl } from './build-url.js';

describe('build URLs', () => {
  it("use Buildbot 3.7's #builders/<builderid>/builds/<number>, with or without a trailing slash", () => {
    expect(buildUrl('http://ci.example.org/', { builderid: 4, number: 12 })).toBe(
      'http://ci.example.org/#builders/4/builds/12',
    );
    expect(buildUrl('http://ci.example.org', { builderid: 4, number: 12 })).toBe(
      'http://ci.example.org/#builders/4/builds/12',
    );
  });
});
