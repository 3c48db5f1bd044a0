import { describe, expect, it } from 'vitest';
import { parseRepositoryUrl } from './repo-url.js';

describe('parseRepositoryUrl', () => {
  it.each([
    [
      'https://github.com/buildbot1/buildbot1.git',
      { host: 'github.com', owner: 'buildbot1', repo: 'buildbot1', path: 'buildbot1/buildbot1' },
    ],
    [
      'git@github.com:buildbot2/buildbot2.git',
      { host: 'github.com', owner: 'buildbot2', repo: 'buildbot2', path: 'buildbot2/buildbot2' },
    ],
    [
      'ssh://git@github.com:2222/owner/repo.git',
      { host: 'github.com', port: 2222, owner: 'owner', repo: 'repo', path: 'owner/repo' },
    ],
    [
      'https://gitlab.com/group/sub/project.git',
      { host: 'gitlab.com', owner: 'group/sub', repo: 'project', path: 'group/sub/project' },
    ],
    [
      'https://gitlab.example.org:8443/a/b/c/d',
      { host: 'gitlab.example.org', port: 8443, owner: 'a/b/c', repo: 'd', path: 'a/b/c/d' },
    ],
    ['ssh://git@bitbucket.com/user/repo', { host: 'bitbucket.com', owner: 'user', repo: 'repo', path: 'user/repo' }],
    ['git://example.org/o/r.git', { host: 'example.org', owner: 'o', repo: 'r', path: 'o/r' }],
    ['github.com:o/r', { host: 'github.com', owner: 'o', repo: 'r', path: 'o/r' }],
    ['https://GitHub.com/o/r/', { host: 'github.com', owner: 'o', repo: 'r', path: 'o/r' }],
  ])('%s', (url, expected) => {
    expect(parseRepositoryUrl(url)).toEqual(expected);
  });

  it('drops credentials in the URL instead of returning them', () => {
    const parsed = parseRepositoryUrl('https://user:s3cr3t-token@github.com/o/r.git');
    expect(parsed).toEqual({ host: 'github.com', owner: 'o', repo: 'r', path: 'o/r' });
    expect(JSON.stringify(parsed)).not.toContain('s3cr3t');
  });

  it('strips an API path prefix when asked (Bitbucket API repository URLs)', () => {
    expect(
      parseRepositoryUrl('https://api.bitbucket.org/2.0/repositories/user/repo', { stripPrefix: '/2.0/repositories' }),
    ).toMatchObject({ owner: 'user', repo: 'repo' });
  });

  it.each(['', 'repo', 'https://example.org/repo', 'https://example.org/', 'not a url at all', 'mailto://x'])(
    'names no repository: %j',
    (url) => {
      expect(parseRepositoryUrl(url)).toBeUndefined();
    },
  );
});
