import { describe, expect, it } from 'vitest';
import { buildbotSourceType, stateFileName } from './type.js';

const check = (entry: Record<string, unknown>) =>
  buildbotSourceType.check!({ type: 'buildbot', url: 'http://127.0.0.1:8010/', ...entry }, { configDir: '/tmp' });

describe('the buildbot source entry', () => {
  it('user and password come together, and not with a token', () => {
    expect(check({ user: 'alice' })).toEqual([
      { path: 'password', message: expect.stringContaining('is required with user') },
    ]);
    expect(check({ password: 'x' })).toEqual([{ path: 'user', message: 'is required with password' }]);
    expect(check({ user: 'a', password: 'b', token: 't' })).toEqual([
      { path: 'token', message: expect.stringContaining('not both') },
    ]);
    expect(check({ user: 'a', password: 'b' })).toEqual([]);
  });

  it('reconnectMaxDelay below reconnectDelay is refused', () => {
    expect(check({ reconnectDelay: 5000, reconnectMaxDelay: 1000 })).toEqual([
      { path: 'reconnectMaxDelay', message: expect.any(String) },
    ]);
  });

  it('each master gets its own state file name', () => {
    expect(stateFileName('http://127.0.0.1:8010/')).toBe('buildbot-127.0.0.1_8010.json');
    expect(stateFileName('https://ci.example.org/buildbot/')).toBe('buildbot-ci.example.org_buildbot.json');
  });
});
