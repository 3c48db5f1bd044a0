import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import selfsigned from 'selfsigned';
import { afterEach, describe, expect, it } from 'vitest';
import { RecordingServer } from '../testing/http-server.js';
import { createHttpClient } from './client.js';
import { HttpError, HttpTransportError } from './errors.js';
import { NodeFetchTransport } from './transport.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('ctx.http', () => {
  const transport = new NodeFetchTransport({});
  cleanups.push(() => transport.close());

  it('request() returns any status; send() throws a classified HttpError with a bounded excerpt', async () => {
    const server = await RecordingServer.start(() => ({
      status: 422,
      body: `{"message":"Validation Failed","pad":"${'x'.repeat(2000)}"}`,
    }));
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
    await expect(client.request({ url: server.url, headers: { 'X-Builder': 'a\r\nX-Evil: 1' } })).rejects.toMatchObject(
      { name: 'InvalidHttpRequestError', retryable: false },
    );
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
    await expect(client.request({ url: server.url })).rejects.toMatchObject({
      name: 'HttpTransportError',
      retryable: true,
      message: expect.stringContaining('no answer within 100 ms'),
    });
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
      extensions: [
        { name: 'basicConstraints', cA: true },
        { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] },
      ],
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
