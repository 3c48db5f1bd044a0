import { describe, expect, it } from 'vitest';
import { buildStatusRequest } from './index.js';

describe('buildStatusRequest', () => {
  it('is POST <base_url>/rest/build-status/1.0/commits/<sha> with Basic auth and the status as JSON', () => {
    const status = {
      state: 'INPROGRESS' as const,
      key: 'Builder0',
      url: 'http://localhost:8080/#builders/79/builds/0',
      description: 'Build started.',
    };
    expect(buildStatusRequest('https://stash.example.com:8080/', 'u', 'p', 'd34db33fd43db33f', status)).toEqual({
      method: 'POST',
      url: 'https://stash.example.com:8080/rest/build-status/1.0/commits/d34db33fd43db33f',
      headers: { Authorization: `Basic ${Buffer.from('u:p').toString('base64')}`, 'Content-Type': 'application/json' },
      body: status,
    });
  });
});
