import { appendFileSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RecordingServer } from '../testing/http-server.js';
import { createHarness, type Harness } from '../testing/index.js';
import { recordingLogger } from '../testing/logger.js';
import { fixtures } from '../testing/fixtures.js';
import { Outbox } from './outbox.js';

const describer = new URL('../../../test/fixtures/plugins/http-describer/', import.meta.url).pathname;
const quiet = recordingLogger();
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** The deliveries the outbox under `stateDir` holds open (as the next start would read them). */
const openIn = (stateDir: string) => new Outbox(join(stateDir, 'unsent'), quiet).load();

describe('the outbox', () => {
  it('keeps open deliveries in the order they were made, and forgets settled ones', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bbr-outbox-'));
    const outbox = new Outbox(dir, quiet);
    for (const id of ['a', 'b', 'c']) outbox.save({ id, reporter: 'r', target: 't', payload: { id }, supersede: false });
    outbox.remove('b');
    outbox.close();
    expect(new Outbox(dir, quiet).load().map((e) => e.id)).toEqual(['a', 'c']);
  });

  it('a new run takes over what earlier runs left open, and deletes their journals', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bbr-outbox-'));
    const first = new Outbox(dir, quiet);
    first.save({ id: 'a', reporter: 'r', target: 't', payload: 1, supersede: true });
    first.close();
    const second = new Outbox(dir, quiet);
    const open = second.load();
    for (const entry of open) second.save(entry);
    second.forgetEarlier();
    second.save({ id: 'b', reporter: 'r', target: 't', payload: 2, supersede: true });
    second.close();
    expect(readdirSync(dir)).toHaveLength(1);
    expect(new Outbox(dir, quiet).load().map((e) => e.id)).toEqual(['a', 'b']);
  });

  it('skips a line a crash cut short instead of failing the start, and logs it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bbr-outbox-'));
    const outbox = new Outbox(dir, quiet);
    outbox.save({ id: 'a', reporter: 'r', target: 't', payload: 1, supersede: true });
    outbox.close();
    appendFileSync(join(dir, readdirSync(dir)[0]), '{"add":{"id":"b","repor');
    const logger = recordingLogger();
    expect(new Outbox(dir, logger).load().map((e) => e.id)).toEqual(['a']);
    expect(logger.messages('error')).toEqual(['unreadable outbox journal line skipped']);
  });

  it('compacts a long journal down to the open deliveries', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bbr-outbox-'));
    const outbox = new Outbox(dir, quiet);
    outbox.save({ id: 'kept', reporter: 'r', target: 't', payload: 0, supersede: false });
    for (let i = 0; i < 6000; i++) {
      outbox.save({ id: `x${i}`, reporter: 'r', target: 't', payload: i, supersede: false });
      outbox.remove(`x${i}`);
    }
    outbox.close();
    const [journal] = readdirSync(dir);
    expect(readFileSync(join(dir, journal), 'utf8').trim().split('\n').length).toBeLessThan(3000);
    expect(new Outbox(dir, quiet).load().map((e) => e.id)).toEqual(['kept']);
  });

  it('a payload that is not JSON is still sent, only not kept, and says so in the log', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bbr-outbox-'));
    const payload: Record<string, unknown> = {};
    payload.self = payload;
    const logger = recordingLogger();
    expect(new Outbox(dir, logger).save({ id: 'x', reporter: 'r', target: 't', payload, supersede: true })).toBe(false);
    expect(logger.messages('error')).toEqual(['delivery not kept in the outbox: it is lost if core stops before it is sent']);
    expect(new Outbox(dir, quiet).load()).toEqual([]);
  });
});

describe('deliveries across a restart', () => {
  it('a status the remote refused until core stopped is sent after the next start, once, and leaves the outbox empty', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'bbr-restart-'));
    let up = false;
    const server = await RecordingServer.start(() => (up ? { status: 201 } : { status: 503, headers: { 'retry-after': '3600' } }));
    cleanups.push(() => server.close());

    const first: Harness = await createHarness({ plugin: describer, options: { url: server.url }, stateDir });
    await first.emit(fixtures.fail.finished());
    await new Promise((r) => setTimeout(r, 200));
    await first.runtime.close(200);
    expect(first.deliveries.map((d) => d.outcome.status)).toEqual(['deferred']);
    expect(openIn(stateDir)).toHaveLength(1);

    up = true;
    const second: Harness = await createHarness({ plugin: describer, options: { url: server.url }, stateDir });
    cleanups.push(() => second.close());
    const delivered = await second.drain(5000);
    expect(delivered.map((d) => [d.outcome.status, d.delivery.payload])).toEqual([['sent', expect.objectContaining({ body: { state: 'failure' } })]]);
    expect(server.requests.filter((r) => r.method === 'POST').map((r) => [r.url, JSON.parse(r.body)])).toEqual([
      ['/status', { state: 'failure' }],
      ['/status', { state: 'failure' }],
    ]);
    expect(openIn(stateDir)).toEqual([]);
  });

  it('a sent delivery leaves nothing behind', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'bbr-restart-'));
    const server = await RecordingServer.start(() => ({ status: 201 }));
    cleanups.push(() => server.close());
    const harness = await createHarness({ plugin: describer, options: { url: server.url }, stateDir });
    cleanups.push(() => harness.close());
    await harness.emit(fixtures.fail.finished());
    await harness.drain(5000);
    expect(openIn(stateDir)).toEqual([]);
  });
});
