import { appendFileSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { recordingLogger } from '../testing/logger.js';
import { Outbox } from './outbox.js';

const quiet = recordingLogger();

describe('the outbox', () => {
  it('keeps open deliveries in the order they were made, and forgets settled ones', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bbr-outbox-'));
    const outbox = new Outbox(dir, quiet);
    for (const id of ['a', 'b', 'c'])
      outbox.save({ id, reporter: 'r', target: 't', payload: { id }, supersede: false });
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
    expect(logger.messages('error')).toEqual([
      'delivery not kept in the outbox: it is lost if core stops before it is sent',
    ]);
    expect(new Outbox(dir, quiet).load()).toEqual([]);
  });
});
