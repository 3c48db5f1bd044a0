import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { recordingLogger } from '../../testing/logger.js';
import { NotifyStore } from './notify-store.js';

describe('NotifyStore', () => {
  it('saves scopes and loads them back', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'bbr-irc-')), 'irc', 'bot.notify.json');
    const logger = recordingLogger();
    const store = new NotifyStore(file, logger, 'IRC');
    expect(store.load()).toEqual([]);
    void store.save([{ name: '#ci', events: ['started'] }]);
    await store.save([
      { name: '#ci', events: ['failure'] },
      { name: 'alice', events: [] },
    ]);
    expect(new NotifyStore(file, logger, 'IRC').load()).toEqual([
      { name: '#ci', events: ['failure'] },
      { name: 'alice', events: [] },
    ]);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({
      scopes: [
        { name: '#ci', events: ['failure'] },
        { name: 'alice', events: [] },
      ],
    });
  });

  it('ignores an unreadable file and malformed entries, with a warning', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bbr-irc-'));
    const logger = recordingLogger();
    writeFileSync(join(dir, 'broken.json'), '{not json');
    expect(new NotifyStore(join(dir, 'broken.json'), logger, 'IRC').load()).toEqual([]);
    expect(logger.messages('warn')).toEqual(['IRC notify settings unreadable: using notify_events']);
    writeFileSync(
      join(dir, 'odd.json'),
      JSON.stringify({ scopes: [{ name: '#a', events: ['x'] }, { name: 3 }, { name: '#b', events: [1] }] }),
    );
    expect(new NotifyStore(join(dir, 'odd.json'), logger, 'IRC').load()).toEqual([{ name: '#a', events: ['x'] }]);
  });
});
