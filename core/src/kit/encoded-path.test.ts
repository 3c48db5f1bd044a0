import { describe, expect, it } from 'vitest';
import { encodedPath } from './encoded-path.js';

describe('encodedPath', () => {
  it('encodes each value as one segment and keeps the literal text', () => {
    expect(encodedPath`/repos/${'a b'}/${'c#d/e'}/statuses/${'abc'}`).toBe('/repos/a%20b/c%23d%2Fe/statuses/abc');
    expect(encodedPath`/projects/${42}`).toBe('/projects/42');
    expect(encodedPath`/v2/room/${'Build Room'}/notification`).toBe('/v2/room/Build%20Room/notification');
  });
});
