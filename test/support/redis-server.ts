/**
 * A real Redis for the scale-out tests: Debian's redis-server in the foreground on a free loopback
 * port, its data in a temporary folder with the append-only file on (`appendfsync everysec`, the
 * setting docs/scale-out.md relies on). It can be stopped (SIGTERM: Redis writes what it has) or
 * killed (SIGKILL) and started again on the same port and data.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './smtp.js';

export class RedisServer {
  private process: ChildProcess | undefined;
  private output = '';

  private constructor(
    readonly port: number,
    readonly dir: string,
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}/0`;
  }

  static async start(): Promise<RedisServer> {
    if (spawnSync('redis-server', ['--version']).error)
      throw new Error('redis-server is not installed: run `apt-get install -y redis-server` (scripts/test.sh does it)');
    const server = new RedisServer(await freePort(), mkdtempSync(join(tmpdir(), 'bbr-redis-')));
    await server.run();
    return server;
  }

  /** What redis-server printed (for a failing test's message). */
  log(): string {
    return this.output;
  }

  /** Every key matching `pattern` with its type and contents (hashes' first 300 characters): for a failing test's message. */
  dump(pattern = '*'): string {
    const cli = (...args: string[]) =>
      execFileSync('redis-cli', ['-p', String(this.port), ...args])
        .toString()
        .trim();
    const show: Record<string, (key: string) => string> = {
      zset: (k) => cli('zrange', k, '0', '-1', 'withscores').replace(/\n/g, ' '),
      list: (k) => cli('lrange', k, '0', '-1').replace(/\n/g, ' '),
      string: (k) => cli('get', k),
      hash: (k) => cli('hgetall', k).replace(/\n/g, ' ').slice(0, 300),
    };
    return cli('--scan', '--pattern', pattern)
      .split('\n')
      .filter(Boolean)
      .sort()
      .map((key) => {
        const type = cli('type', key);
        return `${key} (${type}) ${show[type]?.(key) ?? ''}`;
      })
      .join('\n');
  }

  /** The job hashes under `pattern` whose data contains `needle`, each with its return value and failure reason. */
  jobs(pattern: string, needle: string): string {
    const script = `local out = {}
for _, k in ipairs(redis.call('keys', ARGV[1])) do
  local d = redis.call('type', k).ok == 'hash' and redis.call('hget', k, 'data')
  if d and string.find(d, ARGV[2], 1, true) then
    local seen = {}
    for _, f in ipairs({'atm', 'ats', 'processedOn', 'finishedOn', 'returnvalue', 'failedReason', 'stacktrace'}) do
      table.insert(seen, f .. '=' .. (redis.call('hget', k, f) or '-'))
    end
    table.insert(out, k .. ' ' .. table.concat(seen, ' ') .. ' data=' .. string.sub(string.gsub(d, '"payload":%b{}', ''), 1, 400))
  end
end
return out`;
    return execFileSync('redis-cli', ['-p', String(this.port), 'eval', script, '0', pattern, needle])
      .toString()
      .trim();
  }

  /** Starts redis-server on this port and data folder, and waits until it answers PING. */
  async run(): Promise<void> {
    const child = spawn(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--dir',
        this.dir,
        '--appendonly',
        'yes',
        '--appendfsync',
        'everysec',
        '--save',
        '',
        '--daemonize',
        'no',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout!.on('data', (d: Buffer) => (this.output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (this.output += d.toString()));
    this.process = child;
    for (let i = 0; i < 200; i++) {
      if (child.exitCode !== null) throw new Error(`redis-server exited (${child.exitCode}):\n${this.output}`);
      if (await answersPing(this.port)) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`redis-server did not answer on ${this.port}:\n${this.output}`);
  }

  /** Stops it with `signal` (SIGTERM: a clean shutdown; SIGKILL: a crash) and waits for the exit. */
  async halt(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  }

  /** Stops it and starts it again on the same port with the same data. */
  async restart(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    await this.halt(signal);
    await this.run();
  }

  async stop(): Promise<void> {
    await this.halt('SIGTERM');
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Whether a Redis answers PING on `port` (raw RESP: no client library needed to wait for it). */
function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.setTimeout(500);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (d: Buffer) => {
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
