/**
 * `bbreporters preview` sends nothing, and for IRC that means the bot never connects: a TCP
 * listener standing where the IRC server would be sees no connection, while preview still prints
 * the lines the bot would say.
 */
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { httpStatusPushDir, runCli, tempDir } from './support/bbreporters-cli.js';

let server: Server;
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('irc preview', () => {
  it('prints the notification without connecting to the IRC server', async () => {
    let connections = 0;
    server = createServer((socket) => {
      connections += 1;
      socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const dir = tempDir({
      'bbreporters.yaml': `reporters:\n  - plugin: irc\n    options: { host: 127.0.0.1, port: ${port}, nick: previewbot, channels: ["#ci"], notify_events: [failure], lostDelay: 1, failedDelay: 1 }\n`,
    });
    const result = await runCli([
      'preview',
      '--config',
      join(dir, 'bbreporters.yaml'),
      '--reporter',
      'irc',
      '--event',
      join(httpStatusPushDir, 'fail.finished.json'),
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('irc:#ci');
    expect(result.stdout).toMatch(/fail/);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(connections).toBe(0);
  });
});
