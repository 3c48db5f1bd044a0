import { describe, expect, it } from 'vitest';
import { statusKey } from './index.js';
import { ownerAndRepo } from './repo.js';

const API = 'https://api.bitbucket.org/2.0/repositories';

describe('ownerAndRepo', () => {
  it.each([
    'git@bitbucket.com:user/repo.git',
    'git@bitbucket.com:user/repo',
    'https://bitbucket.com/user/repo.git',
    'https://bitbucket.com/user/repo',
    'ssh://git@bitbucket.com/user/repo.git',
    'ssh://git@bitbucket.com/user/repo',
    'https://api.bitbucket.org/2.0/repositories/user/repo',
  ])('%s → user/repo', (url) => {
    expect(ownerAndRepo(url, API)).toEqual({ owner: 'user', repo: 'repo' });
  });

  it('anything but exactly OWNER/REPO names no repository', () => {
    expect(ownerAndRepo('https://bitbucket.com/a/b/c', API)).toBeUndefined();
    expect(ownerAndRepo('https://bitbucket.com/repo', API)).toBeUndefined();
  });
});

describe('statusKey', () => {
  it('keeps keys up to 40 characters; longer ones become their SHA-1 (Buildbot HEAD: sha1("Builder0") = 0550a051…)', () => {
    expect(statusKey('Builder0')).toBe('Builder0');
    expect(statusKey('x'.repeat(40))).toBe('x'.repeat(40));
    expect(statusKey('Builder0'.repeat(6))).toMatch(/^[0-9a-f]{40}$/);
  });
});
