import { mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { recordingLogger } from '../testing/logger.js';
import { importJournals } from './journal-import.js';
import { LEDGER_FILE, SqliteLedger } from './sqlite-ledger.js';

const open: SqliteLedger[] = [];
afterEach(() => {
  for (const ledger of open.splice(0)) ledger.close();
});

function ledgerIn(
  dir = mkdtempSync(join(tmpdir(), 'bbr-ledger-')),
  options: Partial<ConstructorParameters<typeof SqliteLedger>[1]> = {},
) {
  const ledger = new SqliteLedger(dir, { logger: recordingLogger(), ...options });
  open.push(ledger);
  return ledger;
}

const add = (ledger: SqliteLedger, id: string, extra: Partial<Parameters<SqliteLedger['add']>[0]> = {}) =>
  ledger.add({
    id,
    reporter: 'gh',
    target: 't',
    payload: { url: `https://x/${id}` },
    supersede: true,
    createdAt: 1000,
    ...extra,
  });

describe('the SQLite ledger', () => {
  it('is one WAL file under stateDir readable by its owner only', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bbr-ledger-'));
    ledgerIn(dir);
    expect(statSync(join(dir, LEDGER_FILE)).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(expect.arrayContaining([LEDGER_FILE, `${LEDGER_FILE}-wal`]));
  });

  it('follows a delivery: attempts, the remote’s answers, and the payload only while it may be sent again', () => {
    const ledger = ledgerIn();
    ledger.recordEvent({
      id: 'e1',
      kind: 'buildFinished',
      builder: 'runtests',
      build: 7,
      receivedAt: 900,
      body: { id: 'e1' },
    });
    add(ledger, 'd1', { eventId: 'e1' });
    add(ledger, 'd2', { eventId: 'e1', target: 'u' });
    ledger.attemptFailed('d1', {
      at: 1100,
      reason: 'POST https://x/d1 answered 503',
      response: { status: 503 },
      retryAt: 2100,
    });
    expect(ledger.deliveries({ state: 'retrying' })).toMatchObject([
      {
        id: 'd1',
        attempts: 1,
        nextTryAt: 2100,
        lastError: 'POST https://x/d1 answered 503',
        lastResponse: { status: 503 },
      },
    ]);
    ledger.settled(
      { reporter: 'gh', deliveryId: 'd1', target: 't', status: 'sent', attempts: 2, response: { status: 201 } },
      2200,
    );
    ledger.attemptFailed('d2', { at: 1200, reason: 'answered 401', response: { status: 401 } });
    ledger.settled(
      { reporter: 'gh', deliveryId: 'd2', target: 'u', status: 'failed', attempts: 1, reason: 'answered 401' },
      1200,
    );

    expect(ledger.delivery('d1')).toMatchObject({
      state: 'sent',
      attempts: 2,
      settledAt: 2200,
      request: '{"url":"https://x/d1"}',
      attemptList: [
        { attempt: 1, ok: false, error: 'POST https://x/d1 answered 503', response: { status: 503 } },
        { attempt: 2, ok: true, response: { status: 201 } },
      ],
    });
    expect(ledger.payload('d1')).toBeUndefined(); // sent: nothing left to send
    expect(ledger.delivery('d2')).toMatchObject({
      state: 'dead',
      lastError: 'answered 401',
      lastResponse: { status: 401 },
    });
    expect(ledger.stored('d2')).toMatchObject({ payload: { url: 'https://x/d2' } }); // a dead letter can be retried
    expect(ledger.tally()).toEqual({ gh: { sent: 1, dead: 1 } });
    expect(ledger.event('e1')).toMatchObject({ builder: 'runtests', build: 7, deliveries: { sent: 1, dead: 1 } });
  });

  it('gives back open deliveries oldest first, and takes retries and redeliveries as requests, each once', () => {
    const ledger = ledgerIn();
    for (const id of ['a', 'b', 'c']) add(ledger, id);
    ledger.settled({ reporter: 'gh', deliveryId: 'b', target: 't', status: 'sent', attempts: 1 }, 1);
    ledger.settled({ reporter: 'gh', deliveryId: 'c', target: 't', status: 'deferred', attempts: 1 }, 1);
    expect(ledger.unsent().map((d) => d.id)).toEqual(['a', 'c']);

    expect(ledger.requestRetry(['b', 'nope', 'a'])).toEqual([
      {
        id: 'b',
        refused: expect.stringContaining('it is sent; to send its event again, use "bbreporters events redeliver'),
      },
      { id: 'nope', refused: 'no such delivery' },
      { id: 'a' },
    ]);
    ledger.requestRedelivery('e1', 'gh');
    expect(ledger.takeRequests()).toMatchObject([
      { kind: 'retry', deliveryId: 'a' },
      { kind: 'redeliver', eventId: 'e1', reporter: 'gh' },
    ]);
    expect(ledger.takeRequests()).toEqual([]);
  });

  it('a dead letter asked to be retried is open again, for this run or the next start', () => {
    const ledger = ledgerIn();
    add(ledger, 'd');
    ledger.attemptFailed('d', { at: 5, reason: 'answered 404' });
    ledger.settled(
      { reporter: 'gh', deliveryId: 'd', target: 't', status: 'failed', attempts: 3, reason: 'gave up' },
      5,
    );
    expect(ledger.unsent()).toEqual([]);
    expect(ledger.requestRetry(['d'])).toEqual([{ id: 'd' }]);
    expect(ledger.unsent().map((d) => d.id)).toEqual(['d']);
    expect(ledger.delivery('d')).toMatchObject({ state: 'queued', attempts: 1, lastError: 'gave up' });
  });

  it('masks known secrets in the request it shows, and keeps what is not JSON out, saying so', () => {
    const logger = recordingLogger();
    const ledger = ledgerIn(undefined, { logger, mask: (t) => t.replaceAll('s3cret', '****') });
    add(ledger, 'a', { payload: { headers: { authorization: 'token s3cret' } } });
    expect(ledger.delivery('a')?.request).toBe('{"headers":{"authorization":"token ****"}}');
    ledger.settled({ reporter: 'gh', deliveryId: 'a', target: 't', status: 'sent', attempts: 1 }, 2000);
    expect(ledger.delivery('a')?.request).toBe('{"headers":{"authorization":"token ****"}}'); // payload dropped
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(add(ledger, 'b', { payload: circular })).toBe(false);
    expect(ledger.delivery('b')).toMatchObject({ state: 'queued', lastError: expect.stringContaining('not JSON') });
    expect(logger.messages('error')).toContain(
      'delivery payload not kept in the ledger: it is lost if core stops before it is sent',
    );
  });

  it('writes outcomes with their event when both wait for the same commit, and later ones as an update', () => {
    const ledger = ledgerIn();
    const event = { kind: 'buildFinished' as const, receivedAt: 900, body: {} };
    const outcome = (reporter: string) => [
      { reporter, hook: 'buildFinished' as const, eventId: 'e1', status: 'accepted' as const, durationMs: 1 },
    ];
    ledger.recordEvent({ ...event, id: 'e1' });
    ledger.recordOutcomes('e1', outcome('first'));
    expect(ledger.event('e1')?.outcomes).toEqual(outcome('first'));
    ledger.recordOutcomes('e1', outcome('again'));
    expect(ledger.event('e1')?.outcomes).toEqual(outcome('again'));
    ledger.recordEvent({ ...event, id: 'e1', body: { replaced: true } }); // a duplicate keeps the first
    expect(ledger.event('e1')).toMatchObject({ body: {}, outcomes: outcome('again') });
  });

  it('copies its write-ahead log into the database file off the main thread, so commits never wait for it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bbr-ledger-'));
    const ledger = ledgerIn(dir);
    const sizeOf = (file: string) => statSync(join(dir, file)).size;
    const before = sizeOf(LEDGER_FILE);
    for (let i = 0; i < 300; i++) add(ledger, `d${i}`, { payload: { text: 'x'.repeat(2000), i } });
    ledger.flush();
    expect(sizeOf(`${LEDGER_FILE}-wal`)).toBeGreaterThan(600_000);
    expect(sizeOf(LEDGER_FILE)).toBe(before); // the commit did not checkpoint
    await expect.poll(() => sizeOf(LEDGER_FILE), { timeout: 5000, interval: 100 }).toBeGreaterThan(600_000);
  });

  it('starts its write-ahead log afresh under steady writes, so the log stays a few MB', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bbr-ledger-'));
    const ledger = ledgerIn(dir);
    const started = Date.now();
    let n = 0;
    // About 8 MB a second, committed every few ms, for 3 s: 24 MB through the log.
    while (Date.now() - started < 3000) {
      for (let i = 0; i < 8; i++) add(ledger, `d${n++}`, { payload: { text: 'x'.repeat(4000) } });
      await new Promise((resolve) => setTimeout(resolve, 4));
    }
    ledger.flush();
    expect(n * 4000).toBeGreaterThan(16_000_000);
    expect(statSync(join(dir, `${LEDGER_FILE}-wal`)).size).toBeLessThan(12_000_000);
  });

  it('retention: settled deliveries go by age and by count, open ones never, dead letters by age only', () => {
    const ledger = ledgerIn(undefined, { retention: { maxAgeMs: 1000, maxDeliveries: 2 } });
    const settle = (id: string, status: 'sent' | 'failed', at: number) =>
      ledger.settled({ reporter: 'gh', deliveryId: id, target: 't', status, attempts: 1 }, at);
    ledger.recordEvent({ id: 'old', kind: 'buildFinished', receivedAt: 10, body: {} });
    for (const id of ['s1', 's2', 's3', 's4', 'dead-old', 'dead-new', 'open']) add(ledger, id);
    settle('s1', 'sent', 5000);
    settle('s2', 'sent', 5000);
    settle('s3', 'sent', 5000);
    settle('s4', 'sent', 100);
    settle('dead-old', 'failed', 100);
    settle('dead-new', 'failed', 5000);
    expect(ledger.prune(5500)).toEqual({ deliveries: 3, events: 1 });
    expect(
      ledger
        .deliveries()
        .map((d) => d.id)
        .sort(),
    ).toEqual(['dead-new', 'open', 's2', 's3']);
  });

  it('a second process (the CLI) reads and writes the same file while the service has it open', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bbr-ledger-'));
    const service = ledgerIn(dir);
    add(service, 'a');
    // The service commits its writes once per turn of the event loop (here: at once).
    service.flush();
    const cli = ledgerIn(dir, { mustExist: true });
    expect(cli.deliveries().map((d) => d.id)).toEqual(['a']);
    cli.requestRetry(['a']);
    expect(service.takeRequests()).toMatchObject([{ kind: 'retry', deliveryId: 'a' }]);
  });

  it('group commit: events written in one turn of the event loop are committed together, then their callers go on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bbr-ledger-'));
    const service = ledgerIn(dir);
    const reader = ledgerIn(dir, { mustExist: true });
    const event = { kind: 'buildFinished' as const, receivedAt: 900, body: {} };
    service.recordEvent({ ...event, id: 'e1' });
    const first = service.committed();
    service.recordEvent({ ...event, id: 'e2' });
    const second = service.committed();
    expect(reader.events()).toEqual([]); // not committed yet
    await Promise.all([first, second]);
    expect(reader.events().map((e) => e.id)).toEqual(['e2', 'e1']);
    await expect(service.committed()).resolves.toBeUndefined(); // nothing waiting: at once
  });

  it('the CLI finds no ledger where no service ran: BBR_STATE_DIR naming the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bbr-ledger-'));
    expect(() => ledgerIn(dir, { mustExist: true })).toThrow(/no delivery ledger at .*ledger\.sqlite/);
  });
});

describe('an outbox journal of an earlier version', () => {
  it('moves its open deliveries into the ledger (a cut line skipped and logged) and is deleted', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bbr-ledger-'));
    mkdirSync(join(dir, 'unsent'));
    const entry = (id: string) =>
      JSON.stringify({ add: { id, reporter: 'gh', target: 't', payload: { id }, supersede: true } });
    writeFileSync(
      join(dir, 'unsent', 'journal-000000000000001-1.jsonl'),
      `${entry('a')}\n${entry('b')}\n{"done":"a"}\n`,
    );
    writeFileSync(join(dir, 'unsent', 'journal-000000000000002-2.jsonl'), `${entry('c')}\n{"add":{"id":"d","rep`);
    const logger = recordingLogger();
    const ledger = ledgerIn(dir);
    expect(importJournals(dir, ledger, logger)).toBe(2);
    expect(ledger.unsent().map((d) => [d.id, d.payload])).toEqual([
      ['b', { id: 'b' }],
      ['c', { id: 'c' }],
    ]);
    expect(readdirSync(dir)).not.toContain('unsent');
    expect(logger.messages('error')).toEqual(['unreadable outbox journal line skipped']);
  });
});
