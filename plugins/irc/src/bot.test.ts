import { describe, expect, it } from 'vitest';
import { recordingLogger } from '@bbreporters/core/testing';
import { IrcBot, MAX_BACKLOG_FOR_COMMANDS } from './bot.js';
import { IrcConnection } from './client.js';

/** A bot on a connection that is never started: nothing leaves its queue unless a test replaces `send`. */
function offlineBot() {
  const logger = recordingLogger();
  const connection = new IrcConnection({
    host: '127.0.0.1',
    port: 1,
    nick: 'bb',
    username: 'bb',
    tls: false,
    rejectUnauthorized: true,
    lostDelayMs: 1000,
    failedDelayMs: 1000,
    lineIntervalMs: 0,
    version: 'test',
    logger,
  });
  const bot = new IrcBot(
    connection,
    {
      nick: 'bb',
      username: 'bb',
      version: 'test',
      allowForce: false,
      allowShutdown: false,
      authz: [],
      noticeOnChannel: false,
      maxMessageLength: 1000,
      style: { useColors: false, useRevisions: false, showBlameList: false },
      defaultEvents: [],
      channels: [],
      pmToNicks: [],
    },
    { logger, deliver: () => ({ id: 'x', settled: new Promise(() => undefined) }) },
  );
  return { logger, connection, bot };
}

describe('IrcBot', () => {
  it('ignores commands while too many lines wait, so replies cannot hold notifications back', () => {
    // Never started: every reply waits.
    const { logger, connection } = offlineBot();
    const user = { nick: 'spammer', ident: '~s', hostname: 'h' };
    for (let i = 0; i < MAX_BACKLOG_FOR_COMMANDS + 5; i++)
      connection.emit('message', { user, target: '#ci', text: 'bb: hello', isPrivate: false });
    expect(connection.backlog).toBe(MAX_BACKLOG_FOR_COMMANDS);
    expect(logger.messages('warn').filter((w) => w.startsWith('IRC command ignored'))).toHaveLength(5);
  });

  it('a retry after a partial failure starts at the first line the server did not confirm', async () => {
    const { connection, bot } = offlineBot();
    const sent: string[] = [];
    let failOnce = true;
    connection.send = async (line: string) => {
      if (line.endsWith('line 3') && failOnce) {
        failOnce = false;
        throw new Error('line not confirmed in time');
      }
      sent.push(line);
    };
    const payload = { command: 'PRIVMSG' as const, lines: ['line 1', 'line 2', 'line 3', 'line 4'] };
    await expect(bot.write('#ci', payload, 'delivery-1')).rejects.toThrow('line not confirmed in time');
    await bot.write('#ci', payload, 'delivery-1');
    const said = sent.map((l) => l.replace('PRIVMSG #ci :', ''));
    expect(said.filter((l) => l === 'line 1' || l === 'line 2')).toEqual(['line 1', 'line 2']);
    expect(said.slice(-2)).toEqual(['line 3', 'line 4']);
  });
});
