import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../diagnostics/logger.js';
import { createHttpClient } from '../http/client.js';
import { NodeFetchTransport } from '../http/transport.js';
import { RecordingServer } from '../testing/http-server.js';
import { httpSender } from './http-sender.js';
import { DeliveryQueue } from './queue.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('a delivery that cannot be serialised', () => {
  it('fails at its first attempt with the reason, recorded and never retried, and nothing reaches the server', async () => {
    const server = await RecordingServer.start();
    const transport = new NodeFetchTransport({});
    const queue = new DeliveryQueue({ logger: createLogger({ secrets: new Set(), level: 'silent' }) });
    cleanups.push(
      () => server.close(),
      () => transport.close(),
      () => queue.close(),
    );
    queue.register('r', httpSender(createHttpClient({ transport })), { baseDelayMs: 10, retries: 5 });
    const outcomes: string[] = [];
    queue.onOutcome((o) => outcomes.push(o.status));
    const outcome = await queue.enqueue('r', { target: 't', payload: { url: `${server.url}/x`, body: { n: 10n } } })
      .settled;
    expect(outcome).toMatchObject({ status: 'failed', attempts: 1 });
    expect(outcome.reason).toContain('the body cannot be serialised as JSON');
    expect(outcomes).toEqual(['failed']);
    expect(server.requests).toEqual([]);
  });
});
