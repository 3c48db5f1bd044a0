/**
 * IrcConnection against a scripted IRC server on loopback: what happens to lines written just
 * before a connection dies, and the line rate. (The full bot runs against ngircd in test/irc-*.)
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { recordingLogger } from '@bbreporters/core/testing';
import { IrcConnection } from './client.js';

const silent = recordingLogger();

/** Accepts connections, welcomes every client and hands each received line to `onLine`. */
async function scriptedServer(onLine: (line: string, socket: net.Socket, connection: number) => void) {
  let connections = 0;
  const server = net.createServer((socket) => {
    const connection = ++connections;
    let buffer = '';
    socket.setEncoding('utf8');
    socket.on('error', () => undefined);
    socket.on('data', (data: string) => {
      buffer += data;
      let end: number;
      while ((end = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (line.startsWith('NICK ')) socket.write(`:irc.test 001 ${line.slice(5)} :Welcome\r\n`);
        onLine(line, socket, connection);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as net.AddressInfo).port };
}

const open: Array<{ close(): unknown }> = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});

function connect(port: number, lineIntervalMs = 0) {
  const connection = new IrcConnection({
    host: '127.0.0.1',
    port,
    nick: 'bot',
    username: 'bot',
    tls: false,
    rejectUnauthorized: true,
    lostDelayMs: 100,
    failedDelayMs: 100,
    lineIntervalMs,
    version: 'test',
    logger: silent,
  });
  open.push({ close: () => connection.stop('bye') });
  connection.start();
  return connection;
}

describe('IrcConnection', () => {
  it('sends a line again after a reconnect when the connection died before the server confirmed it', async () => {
    const received: Array<[number, string]> = [];
    const { server, port } = await scriptedServer((line, socket, connection) => {
      if (line.startsWith('PRIVMSG')) received.push([connection, line]);
      // The first connection dies right after the message, before answering the PING.
      if (line.startsWith('PING :bbr-ack-') && connection === 1) socket.destroy();
      if (line.startsWith('PING :bbr-ack-') && connection > 1)
        socket.write(`:irc.test PONG irc.test :${line.slice(6)}\r\n`);
    });
    open.push({ close: () => new Promise((r) => server.close(r)) });
    const connection = connect(port);
    await new Promise<void>((resolve) => connection.once('registered', resolve));
    await connection.send('PRIVMSG #ci :hello');
    expect(received).toEqual([
      [1, 'PRIVMSG #ci :hello'],
      [2, 'PRIVMSG #ci :hello'],
    ]);
  });

  it('spaces lines by the line rate', async () => {
    const times: number[] = [];
    const { server, port } = await scriptedServer((line, socket) => {
      if (line.startsWith('PRIVMSG')) times.push(Date.now());
      if (line.startsWith('PING :bbr-ack-')) socket.write(`:irc.test PONG irc.test :${line.slice(6)}\r\n`);
    });
    open.push({ close: () => new Promise((r) => server.close(r)) });
    const connection = connect(port, 100);
    await Promise.all([1, 2, 3, 4].map((n) => connection.send(`PRIVMSG #ci :line ${n}`)));
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    expect(gaps).toHaveLength(3);
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(90);
  });

  it('refuses lines that could carry a second command or exceed 510 bytes', async () => {
    const connection = connect(1);
    await expect(connection.send('PRIVMSG #ci :a\r\nQUIT')).rejects.toThrow('CR, LF or NUL');
    await expect(connection.send(`PRIVMSG #ci :${'x'.repeat(500)}`)).rejects.toThrow('the limit is 510');
  });
});
