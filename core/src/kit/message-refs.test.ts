import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { recordingLogger } from '../testing/logger.js';
import { MessageRefs } from './message-refs.js';

const folder = () => mkdtempSync(join(tmpdir(), 'bbr-refs-'));

describe('MessageRefs', () => {
  it('keeps the message of a started build across a restart, and forgets it when told', async () => {
    const file = join(folder(), 'slack', 'refs.json');
    const refs = new MessageRefs(file, recordingLogger());
    await refs.set('slack:#ci', 12, '1700000000.000100');
    const again = new MessageRefs(file, recordingLogger());
    expect(again.get('slack:#ci', 12)).toBe('1700000000.000100');
    expect(again.get('slack:#ci', 13)).toBeUndefined();
    await again.delete('slack:#ci', 12);
    expect(new MessageRefs(file, recordingLogger()).get('slack:#ci', 12)).toBeUndefined();
  });

  it('keeps only the newest refs', async () => {
    const file = join(folder(), 'refs.json');
    const refs = new MessageRefs(file, recordingLogger(), 2);
    for (const id of [1, 2, 3]) await refs.set('t', id, `m${id}`);
    expect([refs.get('t', 1), refs.get('t', 2), refs.get('t', 3)]).toEqual([undefined, 'm2', 'm3']);
    expect(Object.keys(JSON.parse(readFileSync(file, 'utf8')) as object)).toHaveLength(2);
  });

  it('a damaged file is logged and read as empty', () => {
    const file = join(folder(), 'refs.json');
    writeFileSync(file, '{not json');
    const logger = recordingLogger();
    expect(new MessageRefs(file, logger).get('t', 1)).toBeUndefined();
    expect(logger.records.map((r) => r.msg)).toContain(
      'message ids of started builds unreadable: starting without them',
    );
  });
});
