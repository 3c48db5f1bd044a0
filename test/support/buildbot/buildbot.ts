/**
 * A real Buildbot 3.7 master and worker (Debian's `buildbot`, `buildbot-worker`) for end-to-end
 * tests: a temporary master dir with ./master.cfg, free loopback ports, processes run in the
 * foreground as our children and stopped by their pids. `scripts/test.sh` installs the packages.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const here = new URL('.', import.meta.url).pathname;

export interface BuildbotOptions {
  /** UserPasswordAuth users; every endpoint then needs a login. */
  users?: Record<string, string>;
  /** HttpStatusPush targets: "default" = 3.7's defaults, "all" = every mode, properties and steps. */
  push?: Array<{ url: string; style: 'default' | 'all'; user?: string; password?: string }>;
  /** MailNotifier relay port on 127.0.0.1 (default: no MailNotifier). */
  smtpPort?: number;
  /** Relay port of a second MailNotifier, mode "all" with add_logs=True (default: none). */
  logsSmtpPort?: number;
  /** Seconds until the never-started ghost-worker is reported missing (default 4). */
  missingTimeout?: number;
  /** Seconds the `slow` builder sleeps (default 3). */
  slowSeconds?: number;
  /** 3.7's GitHubStatusPush with its defaults, posting to this base URL (default: none). */
  githubUrl?: string;
  /** Optional blocks of master.cfg to switch on (their builders, workers and schedulers): 'order', 'results'. */
  scenarios?: string[];
}

/** The workers of master.cfg a test can run: name → password. */
const workerPasswords = { 'local-worker': 'pass', 'res-worker': 'res-pass' } as const;
export type WorkerName = keyof typeof workerPasswords;

export interface ForceResult {
  bsid: number;
  /** builderid → buildrequestid */
  requests: Record<string, number>;
}

/** Clean environment: nothing from the test process leaks into the master, worker or build logs. */
const cleanEnv = (home: string): NodeJS.ProcessEnv => ({
  PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  LANG: 'C.UTF-8',
  HOME: home,
  NO_PROXY: '127.0.0.1,localhost',
  no_proxy: '127.0.0.1,localhost',
});

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): void {
  const result = spawnSync(cmd, args, { env, encoding: 'utf8' });
  if (result.status !== 0)
    throw new Error(`${cmd} ${args.join(' ')} failed (${result.status}): ${result.stderr || result.stdout}`);
}

export function assertBuildbotInstalled(): void {
  for (const bin of ['/usr/bin/buildbot', '/usr/bin/buildbot-worker']) {
    if (!existsSync(bin)) {
      throw new Error(
        `${bin} is missing: run scripts/test.sh (it installs Debian's buildbot and buildbot-worker) or apt-get install buildbot buildbot-worker`,
      );
    }
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Our buildbot processes: killed when the test process exits, even after a failed or timed-out test. */
const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

export class BuildbotMaster {
  readonly url: string;
  readonly api: string;
  private master?: ChildProcess;
  private readonly workers = new Map<WorkerName, ChildProcess>();
  /** Cookie of a logged-in session (masters with users), for the test's own REST calls. */
  private cookie?: string;

  private constructor(
    readonly baseDir: string,
    readonly httpPort: number,
    readonly pbPort: number,
    private readonly options: BuildbotOptions,
  ) {
    this.url = `http://127.0.0.1:${httpPort}/`;
    this.api = `${this.url}api/v2`;
  }

  /** Creates the master and worker dirs, starts both, waits until the worker is connected. */
  static async start(options: BuildbotOptions = {}): Promise<BuildbotMaster> {
    assertBuildbotInstalled();
    const baseDir = mkdtempSync(join(tmpdir(), 'bbr-buildbot-'));
    const bb = new BuildbotMaster(baseDir, await freePort(), await freePort(), options);
    try {
      bb.create();
      await bb.startMaster();
      await bb.startWorker();
    } catch (error) {
      await bb.stop();
      throw error;
    }
    return bb;
  }

  private get masterDir(): string {
    return join(this.baseDir, 'master');
  }

  /** local-worker's dir is `worker` (as before there were others); each other worker's is its name. */
  private workerDir(name: WorkerName): string {
    return join(this.baseDir, name === 'local-worker' ? 'worker' : name);
  }

  private create(): void {
    const env = cleanEnv(this.baseDir);
    run('/usr/bin/buildbot', ['create-master', '-r', this.masterDir], env);
    cpSync(join(here, 'wwwstub'), join(this.masterDir, 'wwwstub'), { recursive: true });
    // Debian has no buildbot-www; the stub registers the `base` www plugin (harness README, quirk 1).
    const tac = join(this.masterDir, 'buildbot.tac');
    writeFileSync(
      tac,
      [
        'import os as _os, sys as _sys',
        'import pkg_resources as _pkr',
        "_stub = _os.path.join(_os.path.dirname(_os.path.abspath(__file__)), 'wwwstub')",
        '_sys.path.insert(0, _stub)',
        '_pkr.working_set.add_entry(_stub)',
        readFileSync(tac, 'utf8'),
      ].join('\n'),
    );
    cpSync(join(here, 'master.cfg'), join(this.masterDir, 'master.cfg'));
    writeFileSync(
      join(this.masterDir, 'harness.json'),
      JSON.stringify({
        http_port: this.httpPort,
        pb_port: this.pbPort,
        missing_timeout: this.options.missingTimeout ?? 4,
        slow_seconds: this.options.slowSeconds ?? 3,
        users: this.options.users ?? null,
        push: this.options.push ?? [],
        smtp_port: this.options.smtpPort ?? 0,
        github_url: this.options.githubUrl ?? null,
        logs_smtp_port: this.options.logsSmtpPort ?? 0,
        scenarios: this.options.scenarios ?? [],
      }),
    );
    // before the master starts: tests time the ghost worker's missing_timeout from there
    this.createWorker('local-worker');
  }

  async startMaster(): Promise<void> {
    this.master = track(
      spawn('/usr/bin/buildbot', ['start', '--nodaemon', this.masterDir], {
        env: cleanEnv(this.baseDir),
        stdio: 'ignore',
      }),
    );
    await this.waitFor(
      async () => {
        const response = await fetch(`${this.api}`).catch(() => undefined);
        return response !== undefined && (response.ok || response.status === 403);
      },
      30_000,
      'the master to serve /api/v2',
    );
  }

  private createWorker(name: WorkerName): void {
    run(
      '/usr/bin/buildbot-worker',
      [
        'create-worker',
        '-r',
        '--umask=0o22',
        this.workerDir(name),
        `127.0.0.1:${this.pbPort}`,
        name,
        workerPasswords[name],
      ],
      cleanEnv(this.baseDir),
    );
  }

  /** Starts a worker of master.cfg (another than local-worker is created the first time); resolves once it is connected. */
  async startWorker(name: WorkerName = 'local-worker'): Promise<void> {
    const dir = this.workerDir(name);
    if (!existsSync(dir)) this.createWorker(name);
    this.workers.set(
      name,
      track(spawn('/usr/bin/buildbot-worker', ['start', '--nodaemon', dir], { env: cleanEnv(dir), stdio: 'ignore' })),
    );
    await this.waitFor(() => this.connected(name), 30_000, `${name} to connect`);
  }

  /** Stops a worker (mid-build: the master loses it); resolves once the master saw it go. */
  async stopWorker(name: WorkerName): Promise<void> {
    await stopChild(this.workers.get(name));
    this.workers.delete(name);
    await this.waitFor(async () => !(await this.connected(name)), 30_000, `${name} to disconnect`);
  }

  private async connected(name: WorkerName): Promise<boolean> {
    const body = (await this.get(`/workers/${name}`)) as { workers: Array<{ connected_to: unknown[] }> };
    return body.workers[0]?.connected_to.length > 0;
  }

  /** Stops the master (the worker stays up and reconnects when the master is back). */
  async stopMaster(): Promise<void> {
    await stopChild(this.master);
    this.master = undefined;
    this.cookie = undefined;
  }

  async stop(): Promise<void> {
    for (const worker of this.workers.values()) await stopChild(worker);
    this.workers.clear();
    await stopChild(this.master);
    this.master = undefined;
    if (!process.env.BBR_KEEP_BUILDBOT) rmSync(this.baseDir, { recursive: true, force: true });
  }

  /** The master's log, for failure messages. */
  log(): string {
    const file = join(this.masterDir, 'twistd.log');
    return existsSync(file) ? readFileSync(file, 'utf8') : '';
  }

  private async headers(): Promise<Record<string, string>> {
    const users = Object.entries(this.options.users ?? {});
    if (!users.length) return {};
    if (!this.cookie) {
      const [user, password] = users[0];
      const response = await fetch(`${this.url}auth/login`, {
        headers: { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` },
        redirect: 'manual',
      });
      // The master sets an anonymous session cookie first, then the logged-in one: take the last.
      const cookie = response.headers
        .getSetCookie()
        .filter((c) => c.startsWith('TWISTED_SESSION'))
        .at(-1);
      if (!cookie) throw new Error(`login as ${user} failed: ${response.status}`);
      this.cookie = cookie.split(';')[0];
    }
    return { cookie: this.cookie };
  }

  async get(path: string): Promise<unknown> {
    const response = await fetch(`${this.api}${path}`, { headers: await this.headers() });
    if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
    return response.json();
  }

  async rpc(path: string, method: string, params: Record<string, unknown>): Promise<unknown> {
    const response = await fetch(`${this.api}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await this.headers()) },
      body: JSON.stringify({ jsonrpc: '2.0', method, id: 1, params }),
    });
    const body = (await response.json()) as { result?: unknown; error?: unknown };
    if (!response.ok || body.error)
      throw new Error(`POST ${path} ${method}: ${response.status} ${JSON.stringify(body)}`);
    return body.result;
  }

  /** One buildset with a build on each named builder, through the `force` scheduler (or the one named). */
  async force(
    builders: string[],
    reason = 'e2e',
    extra: Record<string, unknown> = {},
    scheduler = 'force',
  ): Promise<ForceResult> {
    const [bsid, requests] = (await this.rpc(`/forceschedulers/${scheduler}`, 'force', {
      builderNames: builders,
      reason,
      ...extra,
    })) as [number, Record<string, number>];
    return { bsid, requests };
  }

  /** A change through /change_hook/base (AnyBranchScheduler on-change: pass + fail). */
  async change(fields: Record<string, string>): Promise<void> {
    const response = await fetch(`${this.url}change_hook/base`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(await this.headers()) },
      body: new URLSearchParams(fields).toString(),
    });
    if (!response.ok) throw new Error(`change_hook/base: ${response.status} ${await response.text()}`);
  }

  /** Resolves when no build request, build or buildset is incomplete. */
  async waitIdle(timeoutMs = 60_000): Promise<void> {
    await this.waitFor(
      async () => {
        for (const path of ['/buildrequests?complete=false', '/builds?complete=false', '/buildsets?complete=false']) {
          const body = (await this.get(path)) as { meta: { total: number } };
          if (body.meta.total > 0) return false;
        }
        return true;
      },
      timeoutMs,
      'the master to become idle',
    );
  }

  async waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last: unknown;
    for (;;) {
      if (
        await check().catch((error: unknown) => {
          last = error;
          return false;
        })
      )
        return;
      if (Date.now() > deadline)
        throw new Error(
          `timed out waiting for ${what} (last error: ${String(last)})\n--- twistd.log (tail) ---\n${this.log().slice(-3000)}`,
        );
      await sleep(100);
    }
  }
}

async function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
