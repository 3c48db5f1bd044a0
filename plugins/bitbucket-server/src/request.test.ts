import { describe, expect, it } from 'vitest';
import { buildStatusRequest } from './index.js';

describe('buildStatusRequest', () => {
  it('is POST <base_url>/rest/build-status/1.0/commits/<sha> with the status as JSON, and no credentials', () => {
    const status = {
      state: 'INPROGRESS' as const,
      key: 'Builder0',
      url: 'http://localhost:8080/#builders/79/builds/0',
      description: 'Build started.',
    };
    expect(buildStatusRequest('https://stash.example.com:8080/', 'd34db33fd43db33f', status)).toEqual({
      method: 'POST',
      url: 'https://stash.example.com:8080/rest/build-status/1.0/commits/d34db33fd43db33f',
      headers: { 'Content-Type': 'application/json' },
      body: status,
    });
  });
});
