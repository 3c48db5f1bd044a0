/** A delivery that supersedes one held back by the server (Retry-After) waits out the same hold. */
import { afterEach, describe, expect, it } from 'vitest';
import { RecordingServer } from '../testing/http-server.js';
import { DeliveryQueue } from './queue.js';
import { createHttpClient } from '../http/client.js';
import { httpSender } from './http-sender.js';
import { NodeFetchTransport } from '../http/transport.js';
import { createLogger } from '../diagnostics/logger.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('supersede and server-requested waits', () => {
  it('the newer delivery to a target held by Retry-After: 1 is sent no earlier than the server allowed', async () => {
    const server = await RecordingServer.start((_r, i) =>
      i === 0 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 201 },
    );
    const transport = new NodeFetchTransport({});
    const queue = new DeliveryQueue({
      logger: createLogger({ secrets: new Set(), destination: { write: () => undefined } }),
    });
    queue.register('r', httpSender(createHttpClient({ transport })), { baseDelayMs: 10, maxDelayMs: 20 });
    cleanups.push(
      () => server.close(),
      () => transport.close(),
      () => queue.close(),
    );

    const older = queue.enqueue('r', { target: 't', payload: { url: `${server.url}/s`, body: { state: 'pending' } } });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const newer = queue.enqueue('r', { target: 't', payload: { url: `${server.url}/s`, body: { state: 'success' } } });
    expect((await older.settled).status).toBe('superseded');
    expect(await newer.settled).toMatchObject({ status: 'sent', attempts: 1 });
    const [first, second] = server.requests;
    expect(second.at - first.at).toBeGreaterThanOrEqual(950);
  });

  it('a 503 with Retry-After holds its own target only (a rate limit would hold the origin)', async () => {
    const server = await RecordingServer.start((_r, i) =>
      i === 0 ? { status: 503, headers: { 'retry-after': '2' } } : { status: 201 },
    );
    const transport = new NodeFetchTransport({});
    const queue = new DeliveryQueue({
      logger: createLogger({ secrets: new Set(), destination: { write: () => undefined } }),
    });
    queue.register('r', httpSender(createHttpClient({ transport })), { baseDelayMs: 10, maxDelayMs: 20 });
    cleanups.push(
      () => server.close(),
      () => transport.close(),
      () => queue.close(),
    );

    void queue.enqueue('r', { target: 'a', payload: { url: `${server.url}/a`, body: {} } });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const other = await queue.enqueue('r', { target: 'b', payload: { url: `${server.url}/b`, body: {} } }).settled;
    expect(other.status).toBe('sent');
    expect(server.requests[1].at - server.requests[0].at).toBeLessThan(1000);
  });
});
