/**
 * A real MQTT broker for test/mqtt.test.ts: Debian's Mosquitto in the foreground on a free loopback
 * port, with a config file the test writes: persistence in a temporary folder (a SIGTERM saves the
 * queued messages, a start reads them back) and, when users are given, a password file made with
 * `mosquitto_passwd -b` and anonymous clients refused.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort } from './smtp.js';

const MOSQUITTO = '/usr/sbin/mosquitto';

export interface MosquittoOptions {
  /** User name → password; without it, anonymous clients are allowed. */
  users?: Record<string, string>;
  /** PEM certificate and key: the listener speaks TLS (MQTT over TLS) with them. */
  tls?: { cert: string; key: string };
}

export class Mosquitto {
  private process: ChildProcess | undefined;
  private output = '';

  private constructor(
    readonly port: number,
    readonly dir: string,
  ) {}

  static async start(options: MosquittoOptions = {}): Promise<Mosquitto> {
    if (spawnSync(MOSQUITTO, ['-h']).error)
      throw new Error('mosquitto is not installed: run `apt-get install -y mosquitto` (scripts/test.sh does it)');
    const broker = new Mosquitto(await freePort(), mkdtempSync(join(tmpdir(), 'bbr-mosquitto-')));
    const lines = [
      `listener ${broker.port} 127.0.0.1`,
      // Run as the user the test runs as (as root, Mosquitto would switch to "mosquitto" and lose the folder).
      `user ${userInfo().username}`,
      'persistence true',
      `persistence_location ${broker.dir}/`,
      'log_dest stderr',
      'log_type error',
      'log_type warning',
      'log_type notice',
      'log_type information',
    ];
    if (options.tls) {
      writeFileSync(join(broker.dir, 'broker.crt'), options.tls.cert);
      writeFileSync(join(broker.dir, 'broker.key'), options.tls.key, { mode: 0o600 });
      lines.splice(1, 0, `certfile ${broker.dir}/broker.crt`, `keyfile ${broker.dir}/broker.key`);
    }
    if (options.users) {
      const passwords = join(broker.dir, 'passwd');
      writeFileSync(passwords, '', { mode: 0o600 });
      for (const [user, password] of Object.entries(options.users))
        execFileSync('mosquitto_passwd', ['-b', passwords, user, password]);
      lines.push('allow_anonymous false', `password_file ${passwords}`);
    } else lines.push('allow_anonymous true');
    writeFileSync(join(broker.dir, 'mosquitto.conf'), `${lines.join('\n')}\n`);
    await broker.run();
    return broker;
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  /** What Mosquitto logged (for a failing test's message). */
  log(): string {
    return this.output;
  }

  /** Starts Mosquitto with the config and data folder, and waits until it accepts connections. */
  async run(): Promise<void> {
    const child = spawn(MOSQUITTO, ['-c', join(this.dir, 'mosquitto.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (d: Buffer) => (this.output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (this.output += d.toString()));
    this.process = child;
    for (let i = 0; i < 200; i++) {
      if (child.exitCode !== null) throw new Error(`mosquitto exited (${child.exitCode}):\n${this.output}`);
      if (await accepts(this.port)) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`mosquitto did not listen on ${this.port}:\n${this.output}`);
  }

  /** Stops it (SIGTERM: Mosquitto saves its persistent store) and waits for the exit. */
  async halt(): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }

  async stop(): Promise<void> {
    await this.halt();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
