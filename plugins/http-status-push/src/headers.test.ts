import { describe, expect, it } from 'vitest';
import { credentialHeaders, requestHeaders } from './index.js';

describe('requestHeaders', () => {
  it('JSON always, then the extra headers; never the credentials', () => {
    expect(requestHeaders({ serverUrl: 'http://h/' })).toEqual({ 'Content-Type': 'application/json' });
    expect(
      requestHeaders({ serverUrl: 'http://h/', auth: { type: 'bearer', token: 't' }, headers: { 'X-More': '1' } }),
    ).toEqual({ 'Content-Type': 'application/json', 'X-More': '1' });
  });
});

describe('credentialHeaders (added at each attempt)', () => {
  it('by the configured kind', () => {
    expect(credentialHeaders({ serverUrl: 'http://h/' })).toEqual({});
    expect(credentialHeaders({ serverUrl: 'http://h/', user: 'u', password: 'p' })).toEqual({
      Authorization: `Basic ${Buffer.from('u:p').toString('base64')}`,
    });
    expect(credentialHeaders({ serverUrl: 'http://h/', auth: { type: 'bearer', token: 't' } })).toEqual({
      Authorization: 'Bearer t',
    });
    expect(credentialHeaders({ serverUrl: 'http://h/', auth: { type: 'header', name: 'X-Key', value: 'v' } })).toEqual({
      'X-Key': 'v',
    });
  });
});
