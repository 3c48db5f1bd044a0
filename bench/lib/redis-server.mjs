// A real Redis for the scale-out bench: Debian's redis-server in the foreground on a free loopback port,
// its data in a temporary folder with the append-only file on (`appendfsync everysec`, the setting
// docs/scale-out.md relies on, as test/support/redis-server.ts runs it).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { refusingPort } from './loopback.mjs';
import { sleep } from './report.mjs';

/** The installed redis-server's version ("7.0.15"), or undefined when there is no redis-server command. */
export function redisServerVersion() {
  const run = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (run.error || run.status !== 0) return undefined;
  return /\bv=(\S+)/.exec(run.stdout)?.[1] ?? run.stdout.trim();
}

/** Starts redis-server and waits until it answers PING: `{ url, pid, stop() }` (stop also deletes its data). */
export async function startRedis() {
  const port = await refusingPort();
  const dir = mkdtempSync(join(tmpdir(), 'bbr-bench-redis-'));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--daemonize', 'no'];
  const child = spawn('redis-server', [...args, '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', ''], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise((resolve) => child.on('close', resolve));
  const stop = async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) break;
    if (await answersPing(port)) return { url: `redis://127.0.0.1:${port}/0`, pid: child.pid, stop };
    await sleep(25);
  }
  await stop();
  throw new Error(`redis-server did not answer on port ${port}:\n${output}`);
}

/** Whether a Redis answers PING on `port` (raw RESP: no client library needed to wait for it). */
function answersPing(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.setTimeout(500);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (d) => {
      socket.destroy();
      resolve(d.toString().startsWith('+PONG'));
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}
