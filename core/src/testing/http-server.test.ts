import { afterEach, describe, expect, it } from 'vitest';
import { RecordingServer } from './http-server.js';

let server: RecordingServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('RecordingServer', () => {
  it('records method, url, lower-case headers, body and arrival time of each request', async () => {
    server = await RecordingServer.start();
    const before = Date.now();
    await fetch(`${server.url}/repos/o/r/statuses/abc?x=1`, {
      method: 'POST',
      headers: { 'X-Token': 't' },
      body: '{"state":"success"}',
    });
    expect(server.requests).toEqual([
      expect.objectContaining({
        method: 'POST',
        url: '/repos/o/r/statuses/abc?x=1',
        headers: expect.objectContaining({ 'x-token': 't' }),
        body: '{"state":"success"}',
      }),
    ]);
    expect(server.requests[0].at).toBeGreaterThanOrEqual(before);
  });

  it('answers 201 with an empty JSON object when the test sets no handler', async () => {
    server = await RecordingServer.start();
    const response = await fetch(server.url);
    expect(response.status).toBe(201);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({});
  });

  it('sends a string body as is and anything else as JSON, status 200 unless the reply says', async () => {
    server = await RecordingServer.start((request) =>
      request.url === '/text'
        ? { body: 'plain', headers: { 'x-kind': 'text' } }
        : { status: 404, body: { error: 'nope' } },
    );
    const text = await fetch(`${server.url}/text`);
    expect([text.status, text.headers.get('x-kind'), text.headers.get('content-type'), await text.text()]).toEqual([
      200,
      'text',
      null,
      'plain',
    ]);
    const json = await fetch(`${server.url}/json`);
    expect([json.status, json.headers.get('content-type'), await json.json()]).toEqual([
      404,
      'application/json',
      { error: 'nope' },
    ]);
  });

  it('gives the handler each request with its index in requests', async () => {
    server = await RecordingServer.start((request, index) => ({ body: `${index} ${request.url}` }));
    expect(await (await fetch(`${server.url}/a`)).text()).toBe('0 /a');
    expect(await (await fetch(`${server.url}/b`)).text()).toBe('1 /b');
  });

  it('uses queued one-off replies in order before the handler, which answer() replaces', async () => {
    server = await RecordingServer.start(() => ({ status: 204 }));
    server.queue({ status: 429, headers: { 'retry-after': '1' } }, { status: 500 });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await fetch(server.url)).status);
    server.answer(() => ({ status: 202 }));
    statuses.push((await fetch(server.url)).status);
    expect(statuses).toEqual([429, 500, 204, 202]);
  });

  it('waits delayMs before answering, and counts the requests being answered at once', async () => {
    server = await RecordingServer.start(() => ({ status: 200, delayMs: 150 }));
    const started = Date.now();
    const pending = [fetch(server.url), fetch(server.url), fetch(server.url)];
    await new Promise((resolve) => setTimeout(resolve, 75));
    expect(server.inFlight).toBe(3);
    await Promise.all(pending);
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    expect(server.inFlight).toBe(0);
    expect(server.maxInFlight).toBe(3);
  });

  it('answers 500 naming the error when the handler throws', async () => {
    server = await RecordingServer.start(() => {
      throw new Error('bad fake');
    });
    const response = await fetch(server.url);
    expect(response.status).toBe(500);
    expect(await response.text()).toContain('Error: bad fake');
    expect(server.inFlight).toBe(0);
  });

  it('finds requests by method and path without the query, or by a pattern on the url', async () => {
    server = await RecordingServer.start();
    await fetch(`${server.url}/api/v4/projects?search=x`);
    await fetch(`${server.url}/api/v4/projects`, { method: 'POST', body: '{}' });
    await fetch(`${server.url}/api/v4/projects/7/statuses/abc`, { method: 'POST', body: '{}' });
    expect(server.matching('GET', '/api/v4/projects').map((r) => r.url)).toEqual(['/api/v4/projects?search=x']);
    expect(server.matching('POST', /\/statuses\//).map((r) => r.url)).toEqual(['/api/v4/projects/7/statuses/abc']);
  });
});
