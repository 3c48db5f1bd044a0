import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isBbrError } from '../diagnostics/errors.js';
import { createLogger } from '../diagnostics/logger.js';
import { createHttpClient } from '../http/client.js';
import { NodeFetchTransport } from '../http/transport.js';
import { RecordingServer } from '../testing/http-server.js';
import { recordingLogger } from '../testing/logger.js';
import { httpSender } from './http-sender.js';
import { SqliteLedger } from '../ledger/sqlite-ledger.js';
import { DeliveryQueue } from './queue.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A ledger on a disk that fills up: every delivery is kept, recording its outcome fails. */
class FullDiskLedger extends SqliteLedger {
  override settled(): void {
    throw Object.assign(new Error('SQLITE_FULL: database or disk is full'), { code: 'SQLITE_FULL' });
  }
}

describe('bookkeeping that fails after a send', () => {
  it('a full disk when marking a delivery done never repeats the send: the sink counts each build once', async () => {
    const server = await RecordingServer.start();
    const transport = new NodeFetchTransport({});
    const logger = recordingLogger();
    const ledger = new FullDiskLedger(mkdtempSync(join(tmpdir(), 'bbr-full-')), { logger });
    const queue = new DeliveryQueue({ logger, ledger });
    cleanups.push(
      () => ledger.close(),
      () => server.close(),
      () => transport.close(),
      () => queue.close(),
    );
    queue.register('r', httpSender(createHttpClient({ transport })), { baseDelayMs: 10, retries: 5 });
    const outcomes = await Promise.all(
      Array.from(
        { length: 20 },
        (_, i) =>
          queue.enqueue('r', { target: `build-${i}`, payload: { url: `${server.url}/b/${i}`, body: { i } } }).settled,
      ),
    );
    expect(outcomes.map((o) => `${o.status}/${o.attempts}`)).toEqual(Array(20).fill('sent/1'));
    expect(server.requests.map((r) => r.url).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `/b/${i}`).sort());
    expect(
      logger.messages('error').filter((m) => m.includes('could not record its outcome in the ledger')),
    ).toHaveLength(20);
  });
});

describe('a state folder that cannot be written', () => {
  it('is refused with BBR_STATE_DIR and the real cause, not a later ENOENT', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'bbr-state-')), 'a-file');
    writeFileSync(file, 'not a folder');
    let error: unknown;
    try {
      new SqliteLedger(join(file, 'state'), { logger: createLogger({ secrets: new Set(), level: 'silent' }) });
    } catch (caught) {
      error = caught;
    }
    expect(isBbrError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'BBR_STATE_DIR', message: expect.stringMatching(/ENOTDIR/) });
  });
});
