import { describe, expect, it } from 'vitest';
import { commentRequest, pullRequestOf } from './pull-request.js';

const BASE = 'https://bb.example.com';

describe('pullRequestOf', () => {
  it("reads Buildbot's example PR URL (stash.md §3), with or without a trailing slash", () => {
    const pr = { projectKey: 'PRO', repoSlug: 'myrepo', id: 20 };
    expect(pullRequestOf(`${BASE}/projects/PRO/repos/myrepo/pull-requests/20`, BASE)).toEqual(pr);
    expect(pullRequestOf(`${BASE}/projects/PRO/repos/myrepo/pull-requests/20/`, `${BASE}/`)).toEqual(pr);
  });

  it('keeps a context path: the PR URL must be under it', () => {
    expect(pullRequestOf(`${BASE}/bb/projects/~ME/repos/r/pull-requests/1`, `${BASE}/bb`)).toEqual({
      projectKey: '~ME',
      repoSlug: 'r',
      id: 1,
    });
    expect(pullRequestOf(`${BASE}/projects/P/repos/r/pull-requests/1`, `${BASE}/bb`)).toHaveProperty('refused');
  });

  it.each([
    'https://evil.example/projects/P/repos/r/pull-requests/1',
    `${BASE}/projects/P/repos/r/pull-requests/1/../../../../admin`,
    `${BASE}/projects/%2E%2E/repos/r/pull-requests/1`,
    `${BASE}/projects/P/repos/r/pull-requests/x`,
    'file:///etc/passwd',
    'not a url',
  ])('%s names no pull request', (url) => {
    expect(pullRequestOf(url, BASE)).toHaveProperty('refused');
  });
});

describe('commentRequest', () => {
  it('is POST …/pull-requests/<id>/comments with {"text"}, and no credentials', () => {
    expect(commentRequest(`${BASE}/`, { projectKey: 'PRO', repoSlug: 'my repo', id: 20 }, 'hi')).toEqual({
      method: 'POST',
      url: `${BASE}/rest/api/1.0/projects/PRO/repos/my%20repo/pull-requests/20/comments`,
      headers: { 'Content-Type': 'application/json' },
      body: { text: 'hi' },
    });
  });
});
