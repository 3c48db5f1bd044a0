/**
 * A real IRC server for the tests: ngircd in the foreground on a free loopback port with a
 * generated config (nicks up to 30 characters, a key-protected channel), and a raw TCP IRC
 * client that records every line it receives.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, testCertificate } from './smtp.js';

export interface NgircdOptions {
  /** Predefined channels with a key (mode +k). */
  keyedChannels?: Array<{ name: string; key: string }>;
  /** A connection password every client must send (PASS). */
  password?: string;
  /** Also listen with TLS (the tests' self-signed certificate) on `tlsPort`. */
  tls?: boolean;
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export class Ngircd {
  private process: ChildProcess | undefined;
  readonly output: string[] = [];

  private constructor(
    readonly port: number,
    readonly tlsPort: number | undefined,
    private readonly dir: string,
    private readonly config: string,
  ) {}

  static async start(options: NgircdOptions = {}): Promise<Ngircd> {
    if (spawnSync('ngircd', ['--version']).error) {
      throw new Error('ngircd is not installed: run `apt-get install -y ngircd` (scripts/test.sh does it)');
    }
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'bbr-ngircd-'));
    const config = join(dir, 'ngircd.conf');
    const channels = (options.keyedChannels ?? [])
      .map((c) => `[Channel]\nName = ${c.name}\nModes = +tnk ${c.key}\n`)
      .join('\n');
    const tlsPort = options.tls ? await freePort() : undefined;
    let tls = '';
    if (tlsPort) {
      const { cert, key } = testCertificate();
      writeFileSync(join(dir, 'cert.pem'), cert);
      writeFileSync(join(dir, 'key.pem'), key);
      tls = `[SSL]\nCertFile = ${join(dir, 'cert.pem')}\nKeyFile = ${join(dir, 'key.pem')}\nPorts = ${tlsPort}\n`;
    }
    writeFileSync(
      config,
      `[Global]
Name = irc.test.local
Info = bbreporters test server
AdminInfo1 = bbreporters tests
AdminInfo2 = loopback
AdminEMail = tests@example.invalid
Listen = 127.0.0.1
Ports = ${port}
MotdPhrase = bbreporters test server
${options.password ? `Password = ${options.password}\n` : ''}[Limits]
MaxNickLength = 30
PingTimeout = 120
PongTimeout = 20
[Options]
PAM = no
DNS = no
Ident = no
${tls}${channels}`,
    );
    const server = new Ngircd(port, tlsPort, dir, config);
    await server.launch();
    return server;
  }

  /** Starts ngircd (again) on the same port and waits until it accepts connections. */
  async launch(): Promise<void> {
    const child = spawn('ngircd', ['-n', '-f', this.config], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.process = child;
    // A test process that dies must not leave an IRC server behind.
    const reap = () => child.kill('SIGKILL');
    process.once('exit', reap);
    child.once('exit', () => process.removeListener('exit', reap));
    const record = (data: Buffer) => this.output.push(...data.toString('utf8').split('\n').filter(Boolean));
    child.stdout!.on('data', record);
    child.stderr!.on('data', record);
    const deadline = Date.now() + 10_000;
    while (!(await canConnect(this.port))) {
      if (child.exitCode !== null) throw new Error(`ngircd exited with ${child.exitCode}:\n${this.output.join('\n')}`);
      if (Date.now() > deadline) throw new Error(`ngircd did not listen on ${this.port}:\n${this.output.join('\n')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** SIGKILL: every connection drops at once, as in a crash. */
  async kill(): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }

  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface ReceivedLine {
  at: number;
  raw: string;
  prefix: string;
  command: string;
  params: string[];
}

function parseLine(raw: string): ReceivedLine {
  let rest = raw;
  let prefix = '';
  if (rest.startsWith(':')) {
    const space = rest.indexOf(' ');
    prefix = rest.slice(1, space);
    rest = rest.slice(space + 1);
  }
  const trailingAt = rest.indexOf(' :');
  const trailing = trailingAt >= 0 ? rest.slice(trailingAt + 2) : undefined;
  const head = (trailingAt >= 0 ? rest.slice(0, trailingAt) : rest).split(' ').filter(Boolean);
  return {
    at: Date.now(),
    raw,
    prefix,
    command: head[0]!.toUpperCase(),
    params: trailing === undefined ? head.slice(1) : [...head.slice(1), trailing],
  };
}

/** A plain IRC client over TCP: what a person in the channel (or a NickServ stand-in) sees. */
export class IrcTestClient {
  readonly lines: ReceivedLine[] = [];
  private buffer = '';
  private waiters: Array<{ match: (l: ReceivedLine) => boolean; resolve: (l: ReceivedLine) => void }> = [];

  private constructor(
    readonly nick: string,
    private readonly socket: net.Socket,
  ) {
    socket.setEncoding('utf8');
    socket.on('data', (data: string) => {
      this.buffer += data;
      let end: number;
      while ((end = this.buffer.indexOf('\r\n')) >= 0) {
        const raw = this.buffer.slice(0, end);
        this.buffer = this.buffer.slice(end + 2);
        if (!raw) continue;
        const line = parseLine(raw);
        if (line.command === 'PING') this.socket.write(`PONG :${line.params[0] ?? ''}\r\n`);
        this.lines.push(line);
        this.waiters = this.waiters.filter((w) => (w.match(line) ? (w.resolve(line), false) : true));
      }
    });
  }

  static async connect(port: number, nick: string, password?: string): Promise<IrcTestClient> {
    const socket = net.connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const client = new IrcTestClient(nick, socket);
    if (password) client.send(`PASS ${password}`);
    client.send(`NICK ${nick}`);
    client.send(`USER ${nick} 0 * :test client`);
    await client.waitFor((l) => l.command === '001');
    return client;
  }

  send(line: string): void {
    this.socket.write(`${line}\r\n`);
  }

  async join(channel: string, key?: string): Promise<void> {
    this.send(key ? `JOIN ${channel} ${key}` : `JOIN ${channel}`);
    await this.waitFor(
      (l) =>
        l.command === 'JOIN' &&
        l.prefix.startsWith(`${this.nick}!`) &&
        l.params[0]?.toLowerCase() === channel.toLowerCase(),
    );
  }

  /** Resolves with the first line (already received or coming) that matches. */
  waitFor(match: (l: ReceivedLine) => boolean, timeoutMs = 15_000, since = 0): Promise<ReceivedLine> {
    const seen = this.lines.slice(since).find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.resolve !== done);
        reject(
          new Error(
            `${this.nick}: no matching line within ${timeoutMs} ms; last lines:\n${this.lines
              .slice(-15)
              .map((l) => l.raw)
              .join('\n')}`,
          ),
        );
      }, timeoutMs);
      const done = (l: ReceivedLine) => {
        clearTimeout(timer);
        resolve(l);
      };
      this.waiters.push({ match, resolve: done });
    });
  }

  /** PRIVMSG/NOTICE texts from `from` to `to`, received after line index `since`. */
  messages(from: string, to: string, since = 0): ReceivedLine[] {
    return this.lines
      .slice(since)
      .filter(
        (l) =>
          (l.command === 'PRIVMSG' || l.command === 'NOTICE') &&
          l.prefix.startsWith(`${from}!`) &&
          l.params[0]?.toLowerCase() === to.toLowerCase(),
      );
  }

  /** Sends `text` to `to`, waits for `count` messages from `from` (then `settleMs` more) and returns them all. */
  async ask(
    to: string,
    text: string,
    from: string,
    count = 1,
    replyTarget = to,
    settleMs = 500,
    timeoutMs = 15_000,
  ): Promise<string[]> {
    const since = this.lines.length;
    this.send(`PRIVMSG ${to} :${text}`);
    const deadline = Date.now() + timeoutMs;
    while (this.messages(from, replyTarget, since).length < count) {
      if (Date.now() > deadline) {
        throw new Error(
          `${this.nick}: expected ${count} replies to "${text}" from ${from}, got:\n${this.messages(
            from,
            replyTarget,
            since,
          )
            .map((l) => l.raw)
            .join('\n')}`,
        );
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    // Late extra replies would be counted by the next question: wait, and return them here.
    await new Promise((r) => setTimeout(r, settleMs));
    return this.messages(from, replyTarget, since).map((l) => l.params[1]!);
  }

  close(): void {
    this.socket.destroy();
  }
}
