import { afterEach, describe, expect, it } from 'vitest';
import { RecordingServer, type RecordedRequest, type Reply } from '../testing/http-server.js';
import { DeliveryQueue } from './queue.js';
import type { DeliverySettings } from './deliveries.js';
import { createHttpClient } from '../http/client.js';
import { httpSender } from './http-sender.js';
import { NodeFetchTransport } from '../http/transport.js';
import { createLogger } from '../diagnostics/logger.js';
import type { DeliveryOutcome } from '../dispatch/outcomes.js';

const fast: Partial<DeliverySettings> = { baseDelayMs: 20, maxDelayMs: 100, timeoutMs: 5000 };

interface Setup {
  queue: DeliveryQueue;
  logs: string[];
  server: RecordingServer;
}

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A real queue with core's HTTP sender against a real loopback server. */
async function setup(
  respond: (body: Record<string, unknown>, index: number, request: RecordedRequest) => Reply,
  settings: Partial<DeliverySettings> = fast,
  secrets: string[] = [],
): Promise<Setup> {
  const server = await RecordingServer.start((r, i) =>
    respond(r.body ? (JSON.parse(r.body) as Record<string, unknown>) : {}, i, r),
  );
  const logs: string[] = [];
  const secretSet = new Set(secrets);
  const logger = createLogger({
    secrets: secretSet,
    level: 'debug',
    destination: { write: (l: string) => void logs.push(l) },
  });
  const transport = new NodeFetchTransport({});
  const queue = new DeliveryQueue({ logger, secrets: secretSet });
  queue.register('r', httpSender(createHttpClient({ transport, secrets })), settings);
  cleanups.push(
    () => server.close(),
    () => transport.close(),
    () => queue.close(),
  );
  return { queue, logs, server };
}

const post = (server: RecordingServer, body: unknown, path = '/status') => ({ url: `${server.url}${path}`, body });

describe('deliveries through core’s HTTP sender to a real loopback server', () => {
  it('429 with Retry-After: 2 twice, then 201: delivered on the third attempt, never before the server’s wait', async () => {
    const { queue, server } = await setup((_, i) =>
      i < 2 ? { status: 429, headers: { 'retry-after': '2' }, body: 'slow down' } : { status: 201 },
    );
    const outcome = await queue.enqueue('r', { target: 't', payload: post(server, { state: 'success' }) }).settled;
    expect(outcome).toMatchObject({ status: 'sent', attempts: 3, response: { status: 201 } });
    const [a, b, c] = server.requests.map((r) => r.at);
    expect(server.requests).toHaveLength(3);
    expect(b - a).toBeGreaterThanOrEqual(2000);
    expect(c - b).toBeGreaterThanOrEqual(2000);
    expect(queue.counts().r).toMatchObject({ sent: 1, retried: 2, failed: 0 });
  }, 15_000);

  it('500s then 201: retried with backoff and delivered', async () => {
    const { queue, server } = await setup((_, i) => (i < 3 ? { status: 500, body: 'oops' } : { status: 201 }));
    const outcome = await queue.enqueue('r', { target: 't', payload: post(server, { n: 1 }) }).settled;
    expect(outcome).toMatchObject({ status: 'sent', attempts: 4 });
    expect(server.requests).toHaveLength(4);
  });

  it('a pending held in retry is superseded by success: the server never sees pending after success', async () => {
    const { queue, server } = await setup((body) =>
      body.state === 'pending' ? { status: 503, headers: { 'retry-after': '1' } } : { status: 201 },
    );
    const pending = queue.enqueue('r', { target: 'github:o/r@sha:ctx', payload: post(server, { state: 'pending' }) });
    await waitFor(() => server.requests.length === 1);
    await new Promise((r) => setTimeout(r, 50)); // the 503 is answered; pending now waits for its retry
    const success = queue.enqueue('r', { target: 'github:o/r@sha:ctx', payload: post(server, { state: 'success' }) });
    const [p, s] = await Promise.all([pending.settled, success.settled]);
    await new Promise((r) => setTimeout(r, 1300)); // past the pending's retry time
    expect(p).toMatchObject({ status: 'superseded', attempts: 1 });
    expect(p.reason).toContain(success.id);
    expect(s).toMatchObject({ status: 'sent', attempts: 1 });
    expect(server.requests.map((r) => JSON.parse(r.body).state)).toEqual(['pending', 'success']);
    // The server asked the target to wait a second: the newer delivery waits too.
    expect(server.requests[1].at - server.requests[0].at).toBeGreaterThanOrEqual(1000);
  });

  it('a rate limit holds the reporter’s other targets on that origin until it resets', async () => {
    const { queue, server } = await setup((body, i) =>
      i === 0 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 201 },
    );
    const a = queue.enqueue('r', { target: 'a', payload: post(server, { t: 'a' }) });
    await waitFor(() => server.requests.length === 1);
    await new Promise((r) => setTimeout(r, 50));
    const b = queue.enqueue('r', { target: 'b', payload: post(server, { t: 'b' }) });
    await Promise.all([a.settled, b.settled]);
    const [first, ...later] = server.requests;
    expect(later).toHaveLength(2);
    for (const r of later) expect(r.at - first.at).toBeGreaterThanOrEqual(1000);
  });

  it('a delivery in flight is not superseded, the newer one goes after it, in order', async () => {
    const { queue, server } = await setup(() => ({ status: 201, delayMs: 100 }));
    const first = queue.enqueue('r', { target: 't', payload: post(server, { n: 1 }) });
    await waitFor(() => server.requests.length === 1);
    const second = queue.enqueue('r', { target: 't', payload: post(server, { n: 2 }) });
    const third = queue.enqueue('r', { target: 't', payload: post(server, { n: 3 }) });
    const outcomes = await Promise.all([first.settled, second.settled, third.settled]);
    expect(outcomes.map((o) => o.status)).toEqual(['sent', 'superseded', 'sent']);
    expect(server.requests.map((r) => JSON.parse(r.body).n)).toEqual([1, 3]);
  });

  it('supersede: false queues behind instead: every delivery arrives, in order', async () => {
    const { queue, server } = await setup(() => ({ status: 200, delayMs: 20 }));
    const handles = [1, 2, 3, 4].map((n) =>
      queue.enqueue('r', { target: '#chan', payload: post(server, { n }), supersede: false }),
    );
    const outcomes = await Promise.all(handles.map((h) => h.settled));
    expect(outcomes.every((o) => o.status === 'sent')).toBe(true);
    expect(server.requests.map((r) => JSON.parse(r.body).n)).toEqual([1, 2, 3, 4]);
  });

  it('404 is not retried: one request, failed with the status and an excerpt of the body', async () => {
    const { queue, server } = await setup(() => ({ status: 404, body: '{"message":"Not Found"}' }));
    const outcome = await queue.enqueue('r', { target: 't', payload: post(server, {}) }).settled;
    expect(server.requests).toHaveLength(1);
    expect(outcome).toMatchObject({ status: 'failed', attempts: 1 });
    expect(outcome.reason).toMatch(/answered 404 Not Found: \{"message":"Not Found"\}/);
  });

  it('gives up after the configured retries with the last reason', async () => {
    const { queue, server } = await setup(() => ({ status: 502 }), { ...fast, retries: 2 });
    const outcome = await queue.enqueue('r', { target: 't', payload: post(server, {}) }).settled;
    expect(server.requests).toHaveLength(3);
    expect(outcome).toMatchObject({ status: 'failed', attempts: 3 });
    expect(outcome.reason).toMatch(/^gave up after 3 attempts: HttpError: POST .* answered 502/);
  });

  it('respects the per-reporter concurrency limit across targets', async () => {
    const { queue, server } = await setup(() => ({ status: 201, delayMs: 150 }), { ...fast, concurrency: 3 });
    const handles = Array.from({ length: 12 }, (_, n) =>
      queue.enqueue('r', { target: `t${n}`, payload: post(server, { n }) }),
    );
    const outcomes = await Promise.all(handles.map((h) => h.settled));
    expect(outcomes.every((o) => o.status === 'sent')).toBe(true);
    expect(server.maxInFlight).toBe(3);
  });

  it('never puts Authorization values or URL tokens in logs or outcome reasons', async () => {
    const basic = Buffer.from('bot:pa55-w0rd-xyz').toString('base64');
    // The server echoes what it got, as some do in error bodies.
    const { queue, server, logs } = await setup(
      (_, i, r) => ({
        status: i === 0 ? 500 : 401,
        body: `you sent ${r.headers.authorization} to ${r.url} with known-x-secret-value`,
      }),
      fast,
      ['known-x-secret-value'],
    );
    const outcomes: DeliveryOutcome[] = [];
    queue.onOutcome((o) => outcomes.push(o));
    const outcome = await queue.enqueue('r', {
      target: 't',
      payload: {
        url: `${server.url}/hook?access_token=URLTOKEN123&ref=main`,
        headers: { Authorization: `Basic ${basic}` },
        body: { a: 1 },
      },
    }).settled;
    expect(outcome.status).toBe('failed');
    expect(server.requests).toHaveLength(2);
    const everything = [...logs, JSON.stringify(outcomes), outcome.reason].join('\n');
    expect(everything).toContain('answered 401');
    for (const secret of [basic, 'pa55-w0rd-xyz', 'URLTOKEN123', 'known-x-secret-value'])
      expect(everything).not.toContain(secret);
  });

  it('a payload that is not an HTTP request fails at once, naming the problem', async () => {
    const { queue, server } = await setup(() => ({ status: 200 }));
    const outcome = await queue.enqueue('r', { target: 't', payload: { line: 'hello' } }).settled;
    expect(server.requests).toHaveLength(0);
    expect(outcome).toMatchObject({ status: 'failed', attempts: 0 });
    expect(outcome.reason).toMatch(/payload must describe an HTTP request: url: expected a string/);
  });

  it('a dry run previews valid requests and fails a payload that is no request, sending nothing', async () => {
    const server = await RecordingServer.start(() => ({ status: 200 }));
    const transport = new NodeFetchTransport({});
    cleanups.push(
      () => server.close(),
      () => transport.close(),
    );
    const queue = new DeliveryQueue({
      logger: createLogger({ secrets: new Set(), destination: { write: () => undefined } }),
      dryRun: true,
    });
    queue.register('r', httpSender(createHttpClient({ transport })));
    const good = await queue.enqueue('r', { target: 'a', payload: post(server, { ok: true }) }).settled;
    const bad = await queue.enqueue('r', { target: 'b', payload: { url: 'ftp://nope' } }).settled;
    expect(good).toMatchObject({ status: 'previewed', attempts: 0 });
    expect(bad).toMatchObject({
      status: 'failed',
      attempts: 0,
      reason: expect.stringContaining('url: expected an absolute http: or https: URL'),
    });
    expect(server.requests).toHaveLength(0);
  });

  it('close() ends waits: a delivery held in a long retry fails with a reason instead of vanishing', async () => {
    const { queue, server } = await setup(() => ({ status: 503, headers: { 'retry-after': '3600' } }));
    const handle = queue.enqueue('r', { target: 't', payload: post(server, {}) });
    await waitFor(() => server.requests.length === 1);
    expect(await queue.drain(200)).toBe(1);
    queue.close();
    const outcome = await handle.settled;
    expect(outcome).toMatchObject({ status: 'failed', attempts: 1 });
    expect(outcome.reason).toMatch(/core shut down before it was sent \(after 1 failed attempt\)/);
    expect(queue.pendingCount).toBe(0);
  });
});

describe('deliveries through a plugin’s own send', () => {
  const logger = createLogger({ secrets: new Set(), destination: { write: () => undefined } });

  it('an error with retryable: false is not retried; other errors are, honouring retryAfterMs', async () => {
    const queue = new DeliveryQueue({ logger });
    const calls: number[] = [];
    queue.register(
      'p',
      (d) => {
        calls.push(Date.now());
        if ((d.payload as { kind: string }).kind === 'fatal')
          throw Object.assign(new Error('bad recipient'), { retryable: false });
        if (d.attempt < 2) throw Object.assign(new Error('busy'), { retryAfterMs: 150 });
        return 'ok';
      },
      fast,
    );
    const fatal = await queue.enqueue('p', { target: 'a', payload: { kind: 'fatal' } }).settled;
    expect(fatal).toMatchObject({ status: 'failed', attempts: 1, reason: 'bad recipient' });
    calls.length = 0;
    const later = await queue.enqueue('p', { target: 'b', payload: { kind: 'busy' } }).settled;
    expect(later).toMatchObject({ status: 'sent', attempts: 2, response: 'ok' });
    expect(calls[1] - calls[0]).toBeGreaterThanOrEqual(150);
    queue.close();
  });

  it('a send that never settles is cut at the attempt timeout and retried', async () => {
    const queue = new DeliveryQueue({ logger });
    let calls = 0;
    queue.register('p', () => (++calls === 1 ? new Promise(() => undefined) : 'done'), { ...fast, timeoutMs: 100 });
    const outcome = await queue.enqueue('p', { target: 'a', payload: {} }).settled;
    expect(outcome).toMatchObject({ status: 'sent', attempts: 2 });
    queue.close();
  });

  it('the handler does not wait: enqueue returns before the send finishes', async () => {
    const queue = new DeliveryQueue({ logger });
    queue.register('p', () => new Promise((r) => setTimeout(r, 200)), fast);
    const started = Date.now();
    const handle = queue.enqueue('p', { target: 'a', payload: {} });
    expect(Date.now() - started).toBeLessThan(20);
    expect((await handle.settled).status).toBe('sent');
    queue.close();
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
