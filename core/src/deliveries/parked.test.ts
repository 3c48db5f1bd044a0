/**
 * Parked deliveries: a delivery that waits a long time for its retry (a remote down, a Retry-After)
 * leaves memory (its payload in the ledger, nothing of it running) and comes back when it is due,
 * with per-target order, supersede, operators' retries and shutdown as for any other.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../diagnostics/logger.js';
import { createHttpClient } from '../http/client.js';
import { NodeFetchTransport } from '../http/transport.js';
import { SqliteLedger } from '../ledger/sqlite-ledger.js';
import { RecordingServer } from '../testing/http-server.js';
import { httpSender } from './http-sender.js';
import { DeliveryQueue } from './queue.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A queue with a ledger, whose remote answers 503 asking to wait `retryAfterS` until `up()`. */
async function setup(retryAfterS: number) {
  let up = false;
  const server = await RecordingServer.start(() =>
    up ? { status: 201 } : { status: 503, headers: { 'retry-after': String(retryAfterS) } },
  );
  const logger = createLogger({ secrets: new Set(), destination: { write: () => undefined } });
  const ledger = new SqliteLedger(mkdtempSync(join(tmpdir(), 'bbr-parked-')), { logger });
  const transport = new NodeFetchTransport({});
  const queue = new DeliveryQueue({ logger, ledger });
  queue.register('r', httpSender(createHttpClient({ transport })), { baseDelayMs: 10, maxDelayMs: 20 });
  cleanups.push(
    () => server.close(),
    () => transport.close(),
    () => ledger.close(),
    () => queue.close(),
  );
  const send = (target: string, state: string, supersede = true) =>
    queue.enqueue('r', { target, supersede, payload: { url: `${server.url}/${target}`, body: { state } } });
  const posted = () => server.requests.map((r) => `${r.url} ${JSON.parse(r.body).state}`);
  const waitFor = async (n: number) => {
    for (let i = 0; i < 100 && server.requests.length < n; i++) await new Promise((r) => setTimeout(r, 20));
  };
  return { queue, ledger, send, posted, waitFor, setUp: () => (up = true) };
}

describe('parked deliveries', () => {
  it('leave their payload on disk and are sent once due, in the ledger as retrying meanwhile', async () => {
    const { queue, ledger, send, waitFor, setUp } = await setup(1);
    const handle = send('a', 'failure');
    await waitFor(1);
    await new Promise((r) => setTimeout(r, 50));
    expect(ledger.delivery(handle.id)).toMatchObject({ state: 'retrying', attempts: 1 });
    expect(queue.backlog().get('r')).toEqual({ depth: 1, parked: 1, oldestQueuedAt: expect.any(Number) });
    setUp();
    expect(await handle.settled).toMatchObject({ status: 'sent', attempts: 2 });
    expect(ledger.delivery(handle.id)).toMatchObject({ state: 'sent', attempts: 2 });
  });

  it('a newer delivery to the target supersedes a parked one at once', async () => {
    const { queue, send, waitFor, setUp, posted } = await setup(3600);
    const older = send('a', 'pending');
    await waitFor(1);
    // The remote has the request; wait until its answer has parked the delivery.
    for (let i = 0; i < 100 && queue.backlog().get('r')?.parked !== 1; i++) await new Promise((r) => setTimeout(r, 10));
    expect(queue.backlog().get('r')?.parked).toBe(1);
    setUp();
    send('a', 'success');
    expect(await older.settled).toMatchObject({
      status: 'superseded',
      reason: expect.stringMatching(/^superseded by delivery /),
    });
    // The target is still held by the remote's Retry-After: the newer one waits it out too.
    expect(posted()).toEqual(['/a pending']);
  });

  it('a newer delivery that supersedes nothing waits behind the parked one: order per target holds', async () => {
    const { queue, send, waitFor, setUp, posted } = await setup(1);
    const first = send('m', 'one', false);
    await waitFor(1);
    await new Promise((r) => setTimeout(r, 50));
    const second = send('m', 'two', false);
    setUp();
    expect([(await first.settled).status, (await second.settled).status]).toEqual(['sent', 'sent']);
    expect(posted()).toEqual(['/m one', '/m one', '/m two']);
    expect(queue.pendingCount).toBe(0);
  });

  it('an operator’s retry sends a parked delivery now, whatever it waited for', async () => {
    const { queue, ledger, send, waitFor, setUp } = await setup(3600);
    const handle = send('a', 'failure');
    await waitFor(1);
    await new Promise((r) => setTimeout(r, 50));
    setUp();
    const started = Date.now();
    expect(queue.retry(ledger.stored(handle.id)!)).toBe('woken');
    expect(await handle.settled).toMatchObject({ status: 'sent', attempts: 2 });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('a stop defers a parked delivery; it stays open in the ledger for the next start', async () => {
    const { queue, ledger, send, waitFor } = await setup(3600);
    const handle = send('a', 'failure');
    await waitFor(1);
    await new Promise((r) => setTimeout(r, 50));
    expect(await queue.drain(100)).toBe(1);
    queue.close();
    expect(await handle.settled).toMatchObject({ status: 'deferred' });
    expect(ledger.unsent().map((d) => [d.id, d.payload])).toEqual([
      [handle.id, expect.objectContaining({ body: { state: 'failure' } })],
    ]);
  });
});
