import { describe, expect, it } from 'vitest';
import { encodeBody, httpRequestProblems, methodOf } from './request.js';

describe('HttpRequest payloads', () => {
  it('a well-formed request has no problems; method defaults to POST with a body, GET without', () => {
    expect(
      httpRequestProblems({
        url: 'https://api.github.com/x',
        headers: { Accept: 'application/json' },
        body: { a: 1 },
        okStatuses: [201],
      }),
    ).toEqual([]);
    expect(methodOf({ url: 'https://x/', body: 'x' })).toBe('POST');
    expect(methodOf({ url: 'https://x/' })).toBe('GET');
  });

  it('names each problem: url, method, headers, body with GET, unknown keys', () => {
    expect(httpRequestProblems('https://x/')).toEqual([
      'expected an object {method?, url, headers?, body?}, got "https://x/"',
    ]);
    expect(httpRequestProblems({ url: 'ftp://x/', method: 'FETCH', headers: { 'X-A': 1 }, extra: true })).toEqual([
      'url: expected an absolute http: or https: URL',
      'method: expected one of GET, HEAD, POST, PUT, PATCH, DELETE, got "FETCH"',
      'headers.X-A: expected a string, got number',
      'unknown key "extra" (allowed: method, url, headers, body, okStatuses)',
    ]);
    expect(httpRequestProblems({ url: 'https://x/', method: 'GET', body: 'x' })).toEqual([
      'body: a GET request cannot have one',
    ]);
  });

  it('event data cannot inject a header: CR/LF in a value or a bad name is refused', () => {
    expect(httpRequestProblems({ url: 'https://x/', headers: { 'X-Builder': 'evil\r\nX-Injected: 1' } })).toEqual([
      'headers.X-Builder: contains a line break or NUL',
    ]);
    expect(httpRequestProblems({ url: 'https://x/', headers: { 'Bad Name': 'v' } })).toEqual([
      'headers: "Bad Name" is not a valid header name',
    ]);
  });

  it('encodes objects as JSON with a content type, strings as they are', () => {
    expect(encodeBody({ a: [1] })).toEqual({ text: '{"a":[1]}', contentType: 'application/json' });
    expect(encodeBody('a=b')).toEqual({ text: 'a=b' });
    expect(encodeBody(undefined)).toEqual({});
  });
});
