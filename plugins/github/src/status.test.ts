import { describe, expect, it } from 'vitest';
import { cutDescription, statusRequest, statusTarget } from './status.js';

describe('GitHub status request', () => {
  it('is POST /repos/{owner}/{repo}/statuses/{sha} with Buildbot user agent and JSON, and no credentials', () => {
    expect(
      statusRequest('https://api.github.com', { owner: 'buildbot', repo: 'buildbot' }, 'd34db33fd43db33f', {
        state: 'pending',
        target_url: 'http://localhost:8080/#builders/79/builds/0',
        description: 'Build started.',
        context: 'buildbot/Builder0',
      }),
    ).toEqual({
      method: 'POST',
      url: 'https://api.github.com/repos/buildbot/buildbot/statuses/d34db33fd43db33f',
      headers: { 'User-Agent': 'Buildbot', 'Content-Type': 'application/json' },
      body: {
        state: 'pending',
        target_url: 'http://localhost:8080/#builders/79/builds/0',
        description: 'Build started.',
        context: 'buildbot/Builder0',
      },
    });
  });

  it('leaves out a missing target_url and encodes path segments', () => {
    const request = statusRequest('https://ghe/api/v3', { owner: 'a b', repo: 'c#d' }, 'abc', {
      state: 'error',
      context: 'x',
    });
    expect(request.url).toBe('https://ghe/api/v3/repos/a%20b/c%23d/statuses/abc');
    expect(request.body).toEqual({ state: 'error', context: 'x' });
  });

  it('cuts descriptions to 140 characters, counting code points, with an ellipsis', () => {
    expect(cutDescription('short')).toBe('short');
    expect(cutDescription('é'.repeat(140))).toBe('é'.repeat(140));
    const cut = cutDescription('😀'.repeat(200));
    expect(Array.from(cut)).toHaveLength(140);
    expect(cut.endsWith('…')).toBe(true);
  });

  it('targets one status context of one commit', () => {
    expect(statusTarget({ owner: 'o', repo: 'r' }, 'sha', 'buildbot/b')).toBe('github:o/r@sha:buildbot/b');
  });
});
