import { describe, expect, it } from 'vitest';
import { isInvalidHttpRequestError } from '../http/errors.js';
import { encodedPath, isCommitId, urlUnder } from './encoded-path.js';

const thrown = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
};

describe('encodedPath', () => {
  it('encodes each value as one segment and keeps the literal text', () => {
    expect(encodedPath`/repos/${'a b'}/${'c#d/e'}/statuses/${'abc'}`).toBe('/repos/a%20b/c%23d%2Fe/statuses/abc');
    expect(encodedPath`/projects/${42}`).toBe('/projects/42');
    expect(encodedPath`/v2/room/${'Build Room'}/notification`).toBe('/v2/room/Build%20Room/notification');
    expect(encodedPath`/repos/${'...'}/${'a..b'}`).toBe('/repos/.../a..b');
  });

  it.each(['..', '.', '', '%2e%2e', '%2E.', '.%2e'])(
    'refuses %j, which a URL parser would resolve as a dot segment',
    (value) => {
      const error = thrown(() => encodedPath`/repos/${value}/x/statuses/abcd`);
      expect(isInvalidHttpRequestError(error)).toBe(true);
      expect((error as Error).message).toContain('cannot be a segment of a URL path');
    },
  );
});

describe('urlUnder', () => {
  it('joins a base and a path that stays under it', () => {
    expect(urlUnder('https://ghe.example.org/api/v3/', '/repos/a/b/statuses/abcd')).toBe(
      'https://ghe.example.org/api/v3/repos/a/b/statuses/abcd',
    );
  });

  it.each(['/../statuses/abcd', '/%2e%2e/x', '/..', '@evil.example/x', '.evil.example/x'])(
    'refuses %j, which leaves the base',
    (path) => {
      expect(isInvalidHttpRequestError(thrown(() => urlUnder('https://ghe.example.org/api/v3', path)))).toBe(true);
    },
  );
});

describe('isCommitId', () => {
  it('takes 4 to 64 hex digits, nothing else', () => {
    expect(['abcd', 'd34db33fd43db33f', 'A'.repeat(64), '1234'].every(isCommitId)).toBe(true);
    expect(['..', 'abc', 'a'.repeat(65), 'main', 'abcd/..', ''].some(isCommitId)).toBe(false);
  });
});
