import { describe, expect, it } from 'vitest';
import { requestHeaders } from './index.js';

describe('requestHeaders', () => {
  it('JSON always; credentials by the configured kind; extra headers last', () => {
    expect(requestHeaders({ serverUrl: 'http://h/' })).toEqual({ 'Content-Type': 'application/json' });
    expect(requestHeaders({ serverUrl: 'http://h/', user: 'u', password: 'p' }).Authorization).toBe(
      `Basic ${Buffer.from('u:p').toString('base64')}`,
    );
    expect(requestHeaders({ serverUrl: 'http://h/', auth: { type: 'bearer', token: 't' } }).Authorization).toBe(
      'Bearer t',
    );
    expect(
      requestHeaders({
        serverUrl: 'http://h/',
        auth: { type: 'header', name: 'X-Key', value: 'v' },
        headers: { 'X-More': '1' },
      }),
    ).toEqual({ 'Content-Type': 'application/json', 'X-Key': 'v', 'X-More': '1' });
  });
});
