import { describe, expect, it } from 'vitest';
import { githubRepoOf } from './github-repo.js';

describe('githubRepoOf', () => {
  it.each([
    [
      { project: 'buildbot/buildbot', repository: 'https://example.org/x/y' },
      { owner: 'buildbot', repo: 'buildbot' },
    ],
    [
      { project: 'buildbot', repository: 'https://github.com/buildbot1/buildbot1.git' },
      { owner: 'buildbot1', repo: 'buildbot1' },
    ],
    [
      { project: '', repository: 'git@github.com:buildbot2/buildbot2.git' },
      { owner: 'buildbot2', repo: 'buildbot2' },
    ],
    [
      { project: '', repository: 'ssh://git@github.com:2222/owner/repo.git' },
      { owner: 'owner', repo: 'repo' },
    ],
  ])('%j → %j', (stamp, expected) => {
    expect(githubRepoOf(stamp)).toEqual(expected);
  });

  it.each([
    { project: '', repository: 'https://example.org/repo' },
    { project: '', repository: '' },
    { project: '/', repository: 'repo' },
  ])('%j names no repository', (stamp) => {
    expect(githubRepoOf(stamp)).toBeUndefined();
  });
});
