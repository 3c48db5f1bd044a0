/**
 * A real SMTP server for tests: the `smtp-server` package on a free loopback port, with STARTTLS
 * (a certificate made at test time with `selfsigned`) and AUTH, recording each accepted mail's
 * envelope and raw message. Modes: no STARTTLS, AUTH required, recipients refused with a given
 * reply, and stop/start on the same port (a server that is down, then back).
 */
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import selfsigned from 'selfsigned';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { parseMail, type ParsedMail } from './mime.js';

export interface ReceivedMail {
  from: string;
  to: string[];
  /** The message as received (CRLF line ends, dot-unstuffed). */
  raw: string;
  /** The session had switched to TLS. */
  secure: boolean;
  /** The authenticated user, if any. */
  user?: string;
}

export interface TestSmtpOptions {
  /** Offer STARTTLS (default true). */
  starttls?: boolean;
  /** TLS from the first byte (SMTPS) instead of STARTTLS. */
  implicitTls?: boolean;
  /** Require AUTH with these credentials (only after STARTTLS when starttls is on). */
  auth?: { user: string; pass: string };
  /** Answer RCPT TO for these addresses with an error reply (e.g. 450 or 550), `times` times (default: always). */
  refuse?: Record<string, { code: number; message: string; times?: number }>;
}

interface Certificate {
  key: string;
  cert: string;
}

let certificate: Certificate | undefined;

/** One self-signed certificate per test process, for localhost and 127.0.0.1. */
export function testCertificate(): Certificate {
  if (!certificate) {
    const pems = selfsigned.generate([{ name: 'commonName', value: 'localhost' }], {
      days: 2,
      keySize: 2048,
      algorithm: 'sha256',
      extensions: [
        { name: 'basicConstraints', cA: true },
        {
          name: 'subjectAltName',
          altNames: [
            { type: 2, value: 'localhost' },
            { type: 7, ip: '127.0.0.1' },
          ],
        },
      ],
    });
    certificate = { key: pems.private, cert: pems.cert };
  }
  return certificate;
}

/** Writes the certificate (its own CA) as a PEM file into `dir`; returns the path. */
export function writeTestCa(dir: string): string {
  const file = join(dir, 'smtp-ca.pem');
  writeFileSync(file, testCertificate().cert);
  return file;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

export class TestSmtpServer {
  readonly host = '127.0.0.1';
  readonly received: ReceivedMail[] = [];
  /** Every AUTH attempt: user and whether it succeeded. */
  readonly authAttempts: Array<{ user: string; ok: boolean }> = [];
  /** How often each address was refused so far. */
  private readonly refusals: Record<string, number> = {};
  private server?: SMTPServer;
  private waiters: Array<{ count: number; resolve: () => void }> = [];

  private constructor(
    readonly port: number,
    private readonly options: TestSmtpOptions,
  ) {}

  static async start(options: TestSmtpOptions = {}): Promise<TestSmtpServer> {
    const server = new TestSmtpServer(await freePort(), options);
    await server.start();
    return server;
  }

  /** Starts listening (again) on the same port. */
  async start(): Promise<void> {
    const { key, cert } = testCertificate();
    const { auth, refuse = {} } = this.options;
    const starttls = this.options.starttls ?? true;
    const options: SMTPServerOptions = {
      key,
      cert,
      secure: this.options.implicitTls ?? false,
      logger: false,
      hideSTARTTLS: !starttls,
      disabledCommands: [...(starttls ? [] : ['STARTTLS']), ...(auth ? [] : ['AUTH'])],
      authOptional: !auth,
      authMethods: ['PLAIN', 'LOGIN'],
      onAuth: (login, _session, callback) => {
        const ok = Boolean(auth) && login.username === auth!.user && login.password === auth!.pass;
        this.authAttempts.push({ user: login.username ?? '', ok });
        if (!ok) return callback(Object.assign(new Error('Authentication credentials invalid'), { responseCode: 535 }));
        callback(null, { user: login.username });
      },
      onRcptTo: (address, _session, callback) => {
        const refusal = refuse[address.address];
        const refused = (this.refusals[address.address] ?? 0) + 1;
        if (refusal && refused <= (refusal.times ?? Infinity)) {
          this.refusals[address.address] = refused;
          return callback(Object.assign(new Error(refusal.message), { responseCode: refusal.code }));
        }
        callback();
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const from = session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address;
          this.received.push({
            from,
            to: session.envelope.rcptTo.map((r) => r.address),
            raw: Buffer.concat(chunks).toString('utf8'),
            secure: session.secure,
            ...(typeof session.user === 'string' ? { user: session.user } : {}),
          });
          this.notify();
          callback();
        });
      },
    };
    const server = new SMTPServer(options);
    server.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.listen(this.port, this.host, () => resolve());
    });
    this.server = server;
  }

  /** Stops listening; connections are refused until start() is called again. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Resolves when `count` mails have arrived in total. */
  waitFor(count: number, timeoutMs = 20_000): Promise<ReceivedMail[]> {
    if (this.received.length >= count) return Promise.resolve(this.received);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`expected ${count} mails, got ${this.received.length} after ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.waiters.push({ count, resolve: () => (clearTimeout(timer), resolve(this.received)) });
    });
  }

  /** The first mail received since mail number `from` that `match` accepts (decoded), within `timeoutMs`. */
  async mailWhere(
    match: (mail: ParsedMail) => boolean,
    what: string,
    { from = 0, timeoutMs = 60_000 } = {},
  ): Promise<ReceivedMail> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.received.slice(from).find((m) => match(parseMail(m.raw)));
      if (found) return found;
      if (Date.now() > deadline)
        throw new Error(`no mail ${what}; subjects: ${this.received.map((m) => parseMail(m.raw).subject).join(' | ')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  private notify(): void {
    const ready = this.waiters.filter((w) => this.received.length >= w.count);
    this.waiters = this.waiters.filter((w) => this.received.length < w.count);
    for (const w of ready) w.resolve();
  }
}
