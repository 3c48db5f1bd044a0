import { describe, expect, it } from 'vitest';
import { isAuthorized } from './authz.js';

const alice = { nick: 'Alice', ident: '~alice', hostname: 'dev.example.org' };

describe('isAuthorized', () => {
  it('matches nicks case-insensitively', () => {
    expect(isAuthorized(alice, ['alice'])).toBe(true);
    expect(isAuthorized(alice, ['bob'])).toBe(false);
    expect(isAuthorized(alice, [])).toBe(false);
  });

  it('matches nick!user@host masks with * and ?', () => {
    expect(isAuthorized(alice, ['*!*@*.example.org'])).toBe(true);
    expect(isAuthorized(alice, ['alic?!~alice@dev.example.org'])).toBe(true);
    expect(isAuthorized(alice, ['*!*@example.org'])).toBe(false);
    expect(isAuthorized({ ...alice, hostname: 'devXexample.org' }, ['*!*@dev.example.org'])).toBe(false);
  });
});
