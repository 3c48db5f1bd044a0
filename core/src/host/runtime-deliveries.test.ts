/** Deliveries as a running core makes them: core's HTTP sender for plugins without send(), handler timeouts, close(), the ledger across restarts. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteLedger } from '../ledger/sqlite-ledger.js';
import { fixtures } from '../testing/fixtures.js';
import { RecordingServer } from '../testing/http-server.js';
import { createHarness, type Harness } from '../testing/index.js';
import { recordingLogger } from '../testing/logger.js';
import { prepareReporters } from '../loader/prepare.js';
import { Runtime } from './runtime.js';

const describer = new URL('../../../test/fixtures/plugins/http-describer/', import.meta.url).pathname;
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** The deliveries the ledger under `stateDir` holds open (as the next start would read them). */
async function openIn(stateDir: string) {
  // The service commits its ledger writes once per turn of the event loop: let that turn end.
  await new Promise((resolve) => setImmediate(resolve));
  const ledger = new SqliteLedger(stateDir, { logger: recordingLogger() });
  try {
    return ledger.unsent();
  } finally {
    ledger.close();
  }
}

describe('a plugin without send(): core sends the HTTP requests it describes', () => {
  it('posts JSON with the plugin’s headers, uses ctx.http for a lookup first, and records { status } as the response', async () => {
    const server = await RecordingServer.start((r) =>
      r.url === '/lookup'
        ? { status: 200, body: '{"id":42}', headers: { 'content-type': 'application/json' } }
        : { status: 201 },
    );
    cleanups.push(() => server.close());
    const harness: Harness = await createHarness({
      plugin: describer,
      options: { url: server.url, token: 'tok-secret-1234' },
    });
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
    const server = await RecordingServer.start((r) =>
      r.url === '/lookup' ? { status: 200, body: '{"id":1}' } : { status: 503 },
    );
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
    const server = await RecordingServer.start((r) =>
      r.url === '/lookup' ? { status: 200, body: '{"id":1}' } : { status: 201, delayMs: 400 },
    );
    cleanups.push(() => server.close());
    const harness = await createHarness({ plugin: describer, options: { url: server.url }, handlerTimeout: 100 });
    cleanups.push(() => harness.close());
    const result = await harness.emit(fixtures.pass.finished());
    expect(result.outcomes[0]).toMatchObject({ status: 'accepted' });
    const [only] = await harness.drain(5000);
    expect(only.outcome.status).toBe('sent');
  });

  it('close() returns within its bound and a delivery held by a long Retry-After is deferred to the next start', async () => {
    const server = await RecordingServer.start((r) =>
      r.url === '/lookup' ? { status: 200, body: '{"id":1}' } : { status: 503, headers: { 'retry-after': '3600' } },
    );
    cleanups.push(() => server.close());
    const harness = await createHarness({ plugin: describer, options: { url: server.url } });
    await harness.emit(fixtures.fail.finished());
    await new Promise((r) => setTimeout(r, 200));
    const started = Date.now();
    const pending = await harness.runtime.close(300);
    expect(Date.now() - started).toBeLessThan(1500);
    expect(pending).toBe(1);
    expect(harness.deliveries.map((d) => d.outcome)).toMatchObject([
      {
        status: 'deferred',
        attempts: 1,
        reason: expect.stringContaining(
          'core shut down before it was sent (after 1 failed attempt); kept in the ledger',
        ),
      },
    ]);
  });
});

describe('deliveries across a restart', () => {
  it('a status the remote refused until core stopped is sent after the next start, once, and leaves nothing open in the ledger', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'bbr-restart-'));
    let up = false;
    const server = await RecordingServer.start(() =>
      up ? { status: 201 } : { status: 503, headers: { 'retry-after': '3600' } },
    );
    cleanups.push(() => server.close());

    const first = await createHarness({ plugin: describer, options: { url: server.url }, stateDir });
    await first.emit(fixtures.fail.finished());
    await new Promise((r) => setTimeout(r, 200));
    await first.runtime.close(200);
    expect(first.deliveries.map((d) => d.outcome.status)).toEqual(['deferred']);
    expect(await openIn(stateDir)).toHaveLength(1);

    up = true;
    const second = await createHarness({ plugin: describer, options: { url: server.url }, stateDir });
    cleanups.push(() => second.close());
    const delivered = await second.drain(5000);
    expect(delivered.map((d) => [d.outcome.status, d.delivery.payload])).toEqual([
      ['sent', expect.objectContaining({ body: { state: 'failure' } })],
    ]);
    expect(server.requests.filter((r) => r.method === 'POST').map((r) => [r.url, JSON.parse(r.body)])).toEqual([
      ['/status', { state: 'failure' }],
      ['/status', { state: 'failure' }],
    ]);
    expect(await openIn(stateDir)).toEqual([]);
  });

  it('a sent delivery leaves nothing behind', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'bbr-restart-'));
    const server = await RecordingServer.start(() => ({ status: 201 }));
    cleanups.push(() => server.close());
    const harness = await createHarness({ plugin: describer, options: { url: server.url }, stateDir });
    cleanups.push(() => harness.close());
    await harness.emit(fixtures.fail.finished());
    await harness.drain(5000);
    expect(await openIn(stateDir)).toEqual([]);
  });
});

describe('a reload that adds a reporter', () => {
  it('sends what the ledger kept for it from a run that had it', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'bbr-reload-ledger-'));
    let up = false;
    const server = await RecordingServer.start(() =>
      up ? { status: 201 } : { status: 503, headers: { 'retry-after': '3600' } },
    );
    cleanups.push(() => server.close());
    const spec = { plugin: describer, name: 'push', options: { url: server.url } };

    const first = await Runtime.start({ configDir: '.', stateDir, reporters: [spec], logger: recordingLogger() });
    await first.emit(fixtures.fail.finished());
    await new Promise((r) => setTimeout(r, 200));
    await first.close(100);
    expect((await openIn(stateDir)).map((d) => d.reporter)).toEqual(['push']);

    // A start without the reporter keeps its delivery in the ledger; the reload that brings it back sends it.
    up = true;
    const second = await Runtime.start({ configDir: '.', stateDir, reporters: [], logger: recordingLogger() });
    cleanups.push(() => second.close(1000));
    await new Promise((r) => setTimeout(r, 100));
    expect(server.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
    await second.reload(prepareReporters([spec], '.'), { handlerTimeout: 30_000, setupTimeout: 60_000 });
    expect(await second.deliveries.drain(5000)).toBe(0);
    expect(server.requests.filter((r) => r.method === 'POST')).toHaveLength(2);
    expect(await openIn(stateDir)).toEqual([]);
  });
});
