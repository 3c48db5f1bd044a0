import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type LoopbackServer } from '../../test-support/http-server.js';
import { createHarness, type Harness } from '../testing/index.js';
import { fixtures } from '../testing/fixtures.js';
import { Outbox } from './outbox.js';

const describer = new URL('../../../test/fixtures/plugins/http-describer/', import.meta.url).pathname;
const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, fatal() {}, child: () => quiet };
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const outboxFiles = (stateDir: string) => readdirSync(join(stateDir, 'unsent')).filter((f) => f.endsWith('.json'));

describe('the outbox', () => {
  it('keeps entries in the order they were made, and forgets removed ones', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bbr-outbox-'));
    const outbox = new Outbox(dir, quiet);
    for (const id of ['a', 'b', 'c']) outbox.save({ id, reporter: 'r', target: 't', payload: { id }, supersede: false });
    outbox.remove('b');
    expect(new Outbox(dir, quiet).load().map((e) => e.id)).toEqual(['a', 'c']);
  });

  it('sets an unreadable file aside instead of failing the start', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bbr-outbox-'));
    writeFileSync(join(dir, '000000000000001-000000000-x.json'), '{ not json');
    expect(new Outbox(dir, quiet).load()).toEqual([]);
    expect(readdirSync(dir)).toEqual(['000000000000001-000000000-x.json.bad']);
  });

  it('a payload that is not JSON is still sent, only not kept', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bbr-outbox-'));
    const payload: Record<string, unknown> = {};
    payload.self = payload;
    expect(new Outbox(dir, quiet).save({ id: 'x', reporter: 'r', target: 't', payload, supersede: true })).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('deliveries across a restart', () => {
  it('a status the remote refused until core stopped is sent after the next start, once, and leaves the outbox empty', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'bbr-restart-'));
    let up = false;
    const server: LoopbackServer = await startServer(() => (up ? { status: 201 } : { status: 503, headers: { 'retry-after': '3600' } }));
    cleanups.push(() => server.close());

    const first: Harness = await createHarness({ plugin: describer, options: { url: server.url }, stateDir });
    await first.emit(fixtures.fail.finished());
    await new Promise((r) => setTimeout(r, 200));
    await first.runtime.close(200);
    expect(first.deliveries.map((d) => d.outcome.status)).toEqual(['deferred']);
    expect(outboxFiles(stateDir)).toHaveLength(1);

    up = true;
    const second: Harness = await createHarness({ plugin: describer, options: { url: server.url }, stateDir });
    cleanups.push(() => second.close());
    const delivered = await second.drain(5000);
    expect(delivered.map((d) => [d.outcome.status, d.delivery.payload])).toEqual([['sent', expect.objectContaining({ body: { state: 'failure' } })]]);
    expect(server.requests.filter((r) => r.method === 'POST').map((r) => [r.url, JSON.parse(r.body)])).toEqual([
      ['/status', { state: 'failure' }],
      ['/status', { state: 'failure' }],
    ]);
    expect(outboxFiles(stateDir)).toEqual([]);
  });

  it('a sent delivery leaves nothing behind', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'bbr-restart-'));
    const server = await startServer(() => ({ status: 201 }));
    cleanups.push(() => server.close());
    const harness = await createHarness({ plugin: describer, options: { url: server.url }, stateDir });
    cleanups.push(() => harness.close());
    await harness.emit(fixtures.fail.finished());
    await harness.drain(5000);
    expect(outboxFiles(stateDir)).toEqual([]);
  });
});
