import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import selfsigned from 'selfsigned';
import { afterEach, describe, expect, it } from 'vitest';
import { RecordingServer } from '../testing/http-server.js';
import { createHarness, type Harness } from '../testing/index.js';
import { fixtures } from '../testing/fixtures.js';
import { createHttpClient } from './client.js';
import { HttpError, HttpTransportError } from './errors.js';
import { NodeFetchTransport } from './transport.js';

const describer = new URL('../../../test/fixtures/plugins/http-describer/', import.meta.url).pathname;
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('a plugin without send(): core sends the HTTP requests it describes', () => {
  it('posts JSON with the plugin’s headers, uses ctx.http for a lookup first, and records { status } as the response', async () => {
    const server = await RecordingServer.start((r) => (r.url === '/lookup' ? { status: 200, body: '{"id":42}', headers: { 'content-type': 'application/json' } } : { status: 201 }));
    cleanups.push(() => server.close());
    const harness: Harness = await createHarness({ plugin: describer, options: { url: server.url, token: 'tok-secret-1234' } });
    cleanups.push(() => harness.close());
    await harness.emit(fixtures.pass.started());
    await harness.emit(fixtures.pass.finished());
    const delivered = await harness.drain(5000);
    expect(server.requests.map((r) => `${r.method} ${r.url}`)).toEqual(['GET /lookup', 'POST /status', 'POST /status']);
    const posted = server.requests.filter((r) => r.method === 'POST');
    expect(posted.map((r) => JSON.parse(r.body))).toEqual([{ state: 'pending', id: 42 }, { state: 'success' }]);
    expect(posted[0].headers['content-type']).toBe('application/json');
    expect(posted[0].headers.authorization).toBe('token tok-secret-1234');
    expect(delivered.map((d) => d.outcome)).toMatchObject([
      { status: 'sent', response: { status: 201 } },
      { status: 'sent', response: { status: 201 } },
    ]);
    expect(harness.logs.join('\n')).not.toContain('tok-secret-1234');
  });

  it('a reporter’s delivery settings come from its config entry (retries: 0 → a 503 fails at once)', async () => {
    const server = await RecordingServer.start((r) => (r.url === '/lookup' ? { status: 200, body: '{"id":1}' } : { status: 503 }));
    cleanups.push(() => server.close());
    const harness = await createHarness({ plugin: describer, options: { url: server.url }, delivery: { retries: 0 } });
    cleanups.push(() => harness.close());
    await harness.emit(fixtures.fail.finished());
    const [only] = await harness.drain(5000);
    expect(only.outcome).toMatchObject({ status: 'failed', attempts: 1 });
    expect(only.outcome.reason).toMatch(/answered 503/);
  });
});

describe('deliveries and the runtime', () => {
  it('the handler timeout does not include delivery waits: accepted at once, sent later', async () => {
    const server = await RecordingServer.start((r) => (r.url === '/lookup' ? { status: 200, body: '{"id":1}' } : { status: 201, delayMs: 400 }));
    cleanups.push(() => server.close());
    const harness = await createHarness({ plugin: describer, options: { url: server.url }, handlerTimeout: 100 });
    cleanups.push(() => harness.close());
    const result = await harness.emit(fixtures.pass.finished());
    expect(result.outcomes[0]).toMatchObject({ status: 'accepted' });
    const [only] = await harness.drain(5000);
    expect(only.outcome.status).toBe('sent');
  });

  it('close() returns within its bound and a delivery held by a long Retry-After is deferred to the next start', async () => {
    const server = await RecordingServer.start((r) => (r.url === '/lookup' ? { status: 200, body: '{"id":1}' } : { status: 503, headers: { 'retry-after': '3600' } }));
    cleanups.push(() => server.close());
    const harness = await createHarness({ plugin: describer, options: { url: server.url } });
    await harness.emit(fixtures.fail.finished());
    await new Promise((r) => setTimeout(r, 200));
    const started = Date.now();
    const pending = await harness.runtime.close(300);
    expect(Date.now() - started).toBeLessThan(1500);
    expect(pending).toBe(1);
    expect(harness.deliveries.map((d) => d.outcome)).toMatchObject([{ status: 'deferred', attempts: 1, reason: expect.stringContaining('core shut down before it was sent (after 1 failed attempt); kept in the outbox') }]);
  });
});

describe('ctx.http', () => {
  const transport = new NodeFetchTransport({});
  cleanups.push(() => transport.close());

  it('request() returns any status; send() throws a classified HttpError with a bounded excerpt', async () => {
    const server = await RecordingServer.start(() => ({ status: 422, body: `{"message":"Validation Failed","pad":"${'x'.repeat(2000)}"}` }));
    cleanups.push(() => server.close());
    const client = createHttpClient({ transport });
    const response = await client.request({ url: `${server.url}/x` });
    expect(response.status).toBe(422);
    expect(response.json<{ message: string }>().message).toBe('Validation Failed');
    const error = await client.send({ url: `${server.url}/x`, method: 'PUT', body: 'plain' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect(error).toMatchObject({ status: 422, retryable: false, method: 'PUT' });
    expect((error as HttpError).bodyExcerpt.length).toBeLessThanOrEqual(301);
    expect(server.requests[1].body).toBe('plain');
  });

  it('refuses an invalid request before sending, as not retryable (no header injection through event data)', async () => {
    const server = await RecordingServer.start(() => ({ status: 200 }));
    cleanups.push(() => server.close());
    const client = createHttpClient({ transport });
    await expect(client.request({ url: server.url, headers: { 'X-Builder': 'a\r\nX-Evil: 1' } })).rejects.toMatchObject({ name: 'InvalidHttpRequestError', retryable: false });
    expect(server.requests).toHaveLength(0);
  });

  it('okStatuses narrows success (Bitbucket Server answers 204 only)', async () => {
    const server = await RecordingServer.start(() => ({ status: 200 }));
    cleanups.push(() => server.close());
    const client = createHttpClient({ transport });
    await expect(client.send({ url: server.url, okStatuses: [204] })).rejects.toMatchObject({ status: 200 });
  });

  it('times out with a retryable transport error; a refused connection is retryable too', async () => {
    const server = await RecordingServer.start(() => ({ status: 200, delayMs: 1000 }));
    cleanups.push(() => server.close());
    const client = createHttpClient({ transport, timeoutMs: 100 });
    await expect(client.request({ url: server.url })).rejects.toMatchObject({ name: 'HttpTransportError', retryable: true, message: expect.stringContaining('no answer within 100 ms') });
    const port = await freePort();
    const refused = await client.request({ url: `http://127.0.0.1:${port}/` }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(HttpTransportError);
    expect(refused).toMatchObject({ retryable: true });
  });

  it('reuses one keep-alive connection per origin', async () => {
    const sockets = new Set<unknown>();
    const server = http.createServer((req, res) => {
      sockets.add(req.socket);
      res.end('ok');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise((r) => (server.closeAllConnections(), server.close(r))));
    const client = createHttpClient({ transport });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    for (let i = 0; i < 5; i++) await client.send({ url });
    expect(sockets.size).toBe(1);
  });
});

describe('TLS and proxies', () => {
  async function httpsServer(): Promise<{ url: string; cert: string }> {
    const pems = selfsigned.generate([{ name: 'commonName', value: '127.0.0.1' }], {
      days: 1,
      keySize: 2048,
      extensions: [{ name: 'basicConstraints', cA: true }, { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
    });
    const server = https.createServer({ key: pems.private, cert: pems.cert }, (_, res) => res.end('secure'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise((r) => (server.closeAllConnections(), server.close(r))));
    return { url: `https://127.0.0.1:${(server.address() as AddressInfo).port}/`, cert: pems.cert };
  }

  it('a self-signed server is refused by default, trusted with the reporter’s tls.ca, reached with verify: false', async () => {
    const { url, cert } = await httpsServer();
    const transport = new NodeFetchTransport({});
    cleanups.push(() => transport.close());
    await expect(createHttpClient({ transport }).send({ url })).rejects.toBeInstanceOf(HttpTransportError);
    expect((await createHttpClient({ transport, tls: { ca: cert } }).send({ url })).text).toBe('secure');
    expect((await createHttpClient({ transport, tls: { verify: false } }).send({ url })).text).toBe('secure');
  });

  it('HTTPS_PROXY / HTTP_PROXY tunnel through the proxy with CONNECT; NO_PROXY hosts go direct', async () => {
    const { url: secureUrl, cert } = await httpsServer();
    const plain = await RecordingServer.start(() => ({ status: 200, body: 'plain' }));
    cleanups.push(() => plain.close());
    const proxy = await connectProxy();
    const env = { HTTPS_PROXY: proxy.url, HTTP_PROXY: proxy.url };
    const transport = new NodeFetchTransport(env);
    cleanups.push(() => transport.close());
    const client = createHttpClient({ transport, tls: { ca: cert } });
    expect((await client.send({ url: secureUrl })).text).toBe('secure');
    expect((await client.send({ url: plain.url })).text).toBe('plain');
    expect(proxy.connects).toEqual([new URL(secureUrl).host, new URL(plain.url).host]);

    const bypass = new NodeFetchTransport({ ...env, NO_PROXY: 'example.org,127.0.0.1' });
    cleanups.push(() => bypass.close());
    expect((await createHttpClient({ transport: bypass }).send({ url: plain.url })).text).toBe('plain');
    expect(proxy.connects).toHaveLength(2);
    expect(proxy.auth).toEqual([undefined, undefined]);

    const withCredentials = new NodeFetchTransport({ HTTP_PROXY: proxy.url.replace('http://', 'http://bot:pr%40xy@') });
    cleanups.push(() => withCredentials.close());
    expect((await createHttpClient({ transport: withCredentials }).send({ url: plain.url })).text).toBe('plain');
    expect(proxy.auth[2]).toBe(`Basic ${Buffer.from('bot:pr@xy').toString('base64')}`);
  });
});

/** A minimal CONNECT proxy on loopback that records each tunnel's authority. */
async function connectProxy(): Promise<{ url: string; connects: string[]; auth: Array<string | undefined> }> {
  const connects: string[] = [];
  const auth: Array<string | undefined> = [];
  const server = http.createServer((_, res) => res.writeHead(405).end());
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    connects.push(req.url ?? '');
    auth.push(req.headers['proxy-authorization']);
    const [host, port] = (req.url ?? '').split(':');
    const upstream = net.connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => new Promise((r) => (server.closeAllConnections(), server.close(r))));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, connects, auth };
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}
