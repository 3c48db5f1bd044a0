/**
 * The http source end to end: a real `bbreporters run` child process receives every captured
 * Buildbot 3.7 HttpStatusPush body over HTTP, refuses each kind of bad request with its own
 * status, and keeps serving.
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordingLogger } from '@bbreporters/core/testing';
import {
  fixturePlugins,
  httpStatusPushDir,
  runCli,
  startService,
  tempDir,
  type RunningService,
} from './support/bbreporters-cli.js';

const TOKEN = 'tok-e2e-3f9a';
const USER = 'buildbot';
const PASSWORD = 'pw-e2e-77c1';
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

interface Reply {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

/** One request with node:http, so tests control headers and chunking exactly. */
function send(
  url: string,
  options: { method?: string; headers?: Record<string, string>; chunks?: Array<string | Buffer>; path?: string },
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const target = new URL(options.path ?? '', url);
    const req = request(target, { method: options.method ?? 'POST', headers: options.headers ?? {} }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    // The server may close the connection after refusing a body it does not want: the answer counts.
    req.on('error', (error) => reject(error));
    for (const chunk of options.chunks ?? []) req.write(chunk);
    req.end();
  });
}

const post = (url: string, body: string, auth = `Bearer ${TOKEN}`) =>
  send(url, {
    headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) },
    chunks: [body],
  });

const records = (file: string) =>
  existsSync(file)
    ? readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>)
    : [];

describe('a running `bbreporters run` with an http source', () => {
  let service: RunningService;
  let dir: string;
  let recordFile: string;

  beforeAll(async () => {
    dir = tempDir();
    recordFile = join(dir, 'records.jsonl');
    const config = `
sources:
  - type: http
    listen: 127.0.0.1:0
    path: /events
    token: \${INGEST_TOKEN}
    user: ${USER}
    password: \${INGEST_PASSWORD}
    maxBodyBytes: 65536
reporters:
  - plugin: ${join(fixturePlugins, 'recorder')}
    options: { file: ${JSON.stringify(recordFile)}, mode: all }
`;
    const file = join(dir, 'config.yaml');
    (await import('node:fs')).writeFileSync(file, config);
    service = await startService(file, { env: { INGEST_TOKEN: TOKEN, INGEST_PASSWORD: PASSWORD } });
  });

  afterAll(async () => {
    await service?.stop();
  });

  it('receives every captured HttpStatusPush body and dispatches each to the matching hook', async () => {
    const names = readdirSync(httpStatusPushDir)
      .filter((f) => f.endsWith('.json'))
      .sort();
    expect(names.length).toBeGreaterThanOrEqual(14);
    const expected: Array<{ hook: string; id: string }> = [];
    for (const name of names) {
      const body = readFileSync(join(httpStatusPushDir, name), 'utf8');
      const build = JSON.parse(body) as { buildid: number; complete: boolean };
      const reply = await post(service.url, body);
      expect(reply.status, `${name}: ${reply.body}`).toBe(200);
      const result = JSON.parse(reply.body) as {
        eventId: string;
        duplicate: boolean;
        outcomes: Array<{ status: string; hook: string }>;
      };
      const hook = build.complete ? 'buildFinished' : 'buildStarted';
      if (!result.duplicate) {
        expect(result.outcomes).toEqual([expect.objectContaining({ hook, status: 'accepted' })]);
        expected.push({ hook, id: `${hook}:${build.buildid}` });
      }
    }
    // A 200 means the hook already ran: its record is there without waiting.
    const hooks = records(recordFile)
      .filter((r) => r.kind === 'hook')
      .map(({ hook, id }) => ({ hook, id }));
    expect(hooks).toEqual(expected);
    expect(hooks.some((h) => h.hook === 'buildStarted')).toBe(true);
    expect(hooks.some((h) => h.hook === 'buildFinished')).toBe(true);
  });

  it('accepts an event envelope as well as a raw body', async () => {
    const payload = JSON.parse(readFileSync(join(httpStatusPushDir, 'warn.finished.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    const reply = await post(service.url, JSON.stringify({ event: 'buildFinished', id: 'envelope-1', payload }));
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body)).toMatchObject({ eventId: 'envelope-1', event: 'buildFinished' });
  });

  it('accepts HTTP Basic credentials, as Buildbot HttpStatusPush sends its user and password', async () => {
    const body = readFileSync(join(httpStatusPushDir, 'pass.new.json'), 'utf8');
    const reply = await post(
      service.url,
      JSON.stringify({ event: 'buildStarted', id: 'basic-1', payload: JSON.parse(body) }),
      basic(USER, PASSWORD),
    );
    expect(reply.status).toBe(200);
  });

  const good = () =>
    JSON.stringify({
      event: 'buildStarted',
      id: `good-${Math.random()}`,
      payload: JSON.parse(readFileSync(join(httpStatusPushDir, 'fail.new.json'), 'utf8')),
    });

  const badRequests: Array<{ name: string; status: number; reason: RegExp; make: (url: string) => Promise<Reply> }> = [
    {
      name: 'malformed JSON',
      status: 400,
      reason: /malformed JSON/,
      make: (url) => post(url, '{"event": "buildStarted",'),
    },
    { name: 'no credentials', status: 401, reason: /credentials required/, make: (url) => post(url, good(), '') },
    {
      name: 'a wrong bearer token',
      status: 401,
      reason: /wrong credentials/,
      make: (url) => post(url, good(), 'Bearer not-the-token'),
    },
    {
      name: 'a wrong Basic password',
      status: 401,
      reason: /wrong credentials/,
      make: (url) => post(url, good(), basic(USER, 'wrong')),
    },
    {
      name: 'the token sent as a Basic password',
      status: 401,
      reason: /wrong credentials/,
      make: (url) => post(url, good(), basic(USER, TOKEN)),
    },
    {
      name: 'a body over the limit (Content-Length)',
      status: 413,
      reason: /larger than the limit of 65536 bytes/,
      make: (url) => post(url, JSON.stringify({ pad: 'x'.repeat(70_000) })),
    },
    {
      name: 'a chunked body over the limit',
      status: 413,
      reason: /larger than the limit/,
      make: (url) =>
        send(url, {
          headers: { authorization: `Bearer ${TOKEN}`, 'transfer-encoding': 'chunked' },
          chunks: Array.from({ length: 10 }, () => Buffer.alloc(16_384, 0x20)),
        }),
    },
    {
      name: 'a schema-invalid event',
      status: 422,
      reason: /payload\.buildid/,
      make: (url) =>
        post(
          url,
          JSON.stringify({
            event: 'buildFinished',
            payload: {
              ...JSON.parse(readFileSync(join(httpStatusPushDir, 'fail.finished.json'), 'utf8')),
              buildid: 'seven',
            },
          }),
        ),
    },
    {
      name: 'an unknown event name',
      status: 422,
      reason: /event/,
      make: (url) => post(url, JSON.stringify({ event: 'buildExploded', payload: {} })),
    },
    { name: 'a GET on the endpoint', status: 405, reason: /use POST/, make: (url) => send(url, { method: 'GET' }) },
    {
      name: 'another path',
      status: 404,
      reason: /no such endpoint/,
      make: (url) => send(url, { path: '/nope', headers: { authorization: `Bearer ${TOKEN}` }, chunks: ['{}'] }),
    },
  ];

  for (const bad of badRequests) {
    it(`answers ${bad.status} to ${bad.name}, then still accepts the next good request`, async () => {
      const reply = await bad.make(service.url);
      expect(reply.status, reply.body).toBe(bad.status);
      expect((JSON.parse(reply.body) as { error: string }).error).toMatch(bad.reason);
      if (bad.status === 401) expect(reply.headers['www-authenticate']).toMatch(/Basic realm="bbreporters"/);
      const next = await post(service.url, good());
      expect(next.status, next.body).toBe(200);
    });
  }

  it('names the invalid field in a 422 answer', async () => {
    const body = {
      ...JSON.parse(readFileSync(join(httpStatusPushDir, 'fail.finished.json'), 'utf8')),
      buildid: 'seven',
    };
    const reply = await post(service.url, JSON.stringify(body));
    expect(reply.status).toBe(422);
    expect(JSON.parse(reply.body)).toMatchObject({ details: [{ path: 'buildid', message: 'must be integer' }] });
  });

  it('answers 422 with the path for a body nested thousands of levels deep, and keeps serving', async () => {
    const body = JSON.parse(readFileSync(join(httpStatusPushDir, 'fail.finished.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    const deep = `${'['.repeat(5000)}1${']'.repeat(5000)}`;
    const text = JSON.stringify({ ...body, buildid: 90_001 }).replace(/}$/, `,"deep_field":${deep}}`);
    const reply = await post(service.url, text);
    expect(reply.status).toBe(422);
    expect(JSON.parse(reply.body)).toMatchObject({
      details: [{ path: expect.stringMatching(/^deep_field\[0\]\[0\]/) }],
    });
    const ok = await post(service.url, JSON.stringify({ ...body, buildid: 90_002 }));
    expect(ok.status).toBe(200);
  });

  it('answers GET /healthz without credentials', async () => {
    const reply = await send(service.url, { method: 'GET', path: '/healthz' });
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body)).toEqual({ status: 'ok' });
  });

  it('takes events from `bbreporters emit`, with a bearer token or Basic credentials', async () => {
    const fixture = join(httpStatusPushDir, 'cancel.new.json');
    const withToken = await runCli(['emit', '--url', service.url, fixture], { env: { BBREPORTERS_TOKEN: TOKEN } });
    expect(withToken.code, withToken.stderr).toBe(0);
    expect(withToken.stdout).toMatch(/cancel\.new\.json: 200 /);
    const withBasic = await runCli(['emit', '--url', service.url, '--user', USER, fixture], {
      env: { BBREPORTERS_PASSWORD: PASSWORD },
    });
    expect(withBasic.code, withBasic.stderr).toBe(0);
    const refused = await runCli(['emit', '--url', service.url, fixture], { env: { BBREPORTERS_TOKEN: 'nope' } });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/401/);
  });

  it('never writes the token or the password to its logs', () => {
    expect(service.stderr()).not.toContain(TOKEN);
    expect(service.stderr()).not.toContain(PASSWORD);
  });
});

/** The in-process sources below log here; no test reads it. */
const quiet = recordingLogger();

describe('the http source in process', () => {
  it('needs no credentials on a loopback address, and answers 503 when the event cannot be accepted', async () => {
    const { HttpSource } = await import('@bbreporters/core');
    const source = new HttpSource({ type: 'http', listen: '127.0.0.1:0' }, quiet);
    let calls = 0;
    await source.start(async () => {
      calls++;
      if (calls === 1) throw new Error('the reporters are closed');
      return { eventId: 'x', event: 'buildStarted', duplicate: false, outcomes: [] };
    });
    try {
      const body = readFileSync(join(httpStatusPushDir, 'pass.new.json'), 'utf8');
      const refused = await post(source.address().url, body, '');
      expect(refused.status).toBe(503);
      expect(JSON.parse(refused.body).error).toMatch(/the reporters are closed/);
      expect((await post(source.address().url, body, '')).status).toBe(200);
    } finally {
      await source.close();
    }
  });

  it('refuses to start on a public address without credentials', async () => {
    const { HttpSource } = await import('@bbreporters/core');
    expect(() => new HttpSource({ type: 'http', listen: '0.0.0.0:0' }, quiet)).toThrow(
      /not a loopback address, so clients must authenticate/,
    );
  });
});

describe('the http source and odd requests', () => {
  const TOKEN_HERE = 'tok-9f8e7d';

  /** One raw HTTP/1.1 exchange on a new connection: what the server answers first. */
  async function raw(port: number, request: string, waitMs = 3000): Promise<string> {
    const { connect } = await import('node:net');
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => socket.write(request));
      let answer = '';
      socket.on('data', (d: Buffer) => (answer += d.toString()));
      socket.on('close', () => resolve(answer));
      socket.on('error', reject);
      setTimeout(() => {
        socket.destroy();
        resolve(answer);
      }, waitMs);
    });
  }

  it('answers 400, not 500, to request targets that are no path', async () => {
    const { HttpSource } = await import('@bbreporters/core');
    const source = new HttpSource({ type: 'http', listen: '127.0.0.1:0' }, quiet);
    await source.start(async () => ({ eventId: 'x', event: 'buildStarted', duplicate: false, outcomes: [] }));
    try {
      const { port } = source.address();
      for (const target of ['//', 'http://[', '//x/..'])
        expect(await raw(port, `POST ${target} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n`)).toMatch(
          /^HTTP\/1\.1 400 /,
        );
    } finally {
      await source.close();
    }
  });

  it('takes exactly `Bearer <token>`: other spacing or trailing words are refused', async () => {
    const { HttpSource } = await import('@bbreporters/core');
    const source = new HttpSource({ type: 'http', listen: '127.0.0.1:0', token: TOKEN_HERE }, quiet);
    await source.start(async () => ({ eventId: 'x', event: 'buildStarted', duplicate: false, outcomes: [] }));
    try {
      const body = readFileSync(join(httpStatusPushDir, 'pass.new.json'), 'utf8');
      const url = source.address().url;
      expect((await post(url, body, `Bearer ${TOKEN_HERE}`)).status).toBe(200);
      expect((await post(url, body, `bearer ${TOKEN_HERE}`)).status).toBe(200);
      for (const header of [`Bearer  ${TOKEN_HERE}`, `Bearer ${TOKEN_HERE} extra`, `Bearer\t${TOKEN_HERE}`])
        expect((await post(url, body, header)).status).toBe(401);
    } finally {
      await source.close();
    }
  });

  it('answers 408 when the headers come too slowly', async () => {
    const { HttpSource } = await import('@bbreporters/core');
    const source = new HttpSource({ type: 'http', listen: '127.0.0.1:0' }, quiet);
    await source.start(async () => ({ eventId: 'x', event: 'buildStarted', duplicate: false, outcomes: [] }));
    // The server's own timeouts, shortened for the test (the source checks them each second).
    const server = source['server']!;
    server.headersTimeout = 300;
    server.requestTimeout = 300;
    try {
      const answer = await raw(source.address().port, 'POST / HTTP/1.1\r\nHost: x\r\n', 6000);
      expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    } finally {
      await source.close();
    }
  });
});
