/**
 * A new user's first hour, as a test: on a fresh copy of the working tree (nothing beside it), the
 * README's set-up command, then every terminal transcript of README.md and docs/getting-started.md
 * runs as written, and prints what the page shows.
 *
 * The one command that needs the network, getting-started's `npm install @bbreporters/…` from the
 * registry, installs the same packages packed from the copy instead.
 */
import { reuseSqliteBuild } from './support/sqlite-prebuild.js';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missingLines, runTranscript, transcriptSteps, type CommandResult } from './support/doc-transcript.js';
import { repoRoot } from './support/bbreporters-cli.js';

let work: string;
let clone: string;
const quiet = { npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
/** A user's terminal: no variables of this test run, no CI's. */
const userEnv = { PATH: process.env.PATH, HOME: process.env.HOME, LANG: 'C.UTF-8', ...quiet, ...reuseSqliteBuild() };

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'bbr-walk-'));
  clone = join(work, 'bbreporters');
  // The working tree as `git clone` would give it (committed or not), nothing built, nothing installed.
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], {
    cwd: repoRoot,
    encoding: 'utf8',
  })
    .split('\0')
    .filter((f) => f && existsSync(join(repoRoot, f)));
  for (const file of files) {
    mkdirSync(dirname(join(clone, file)), { recursive: true });
    cpSync(join(repoRoot, file), join(clone, file));
  }
  // The README's first command; --prefer-offline only spares the registry what npm's cache holds.
  execFileSync('npm', ['ci', '--prefer-offline'], { cwd: clone, env: userEnv, stdio: 'ignore' });
}, 300_000);

afterAll(() => {
  // Left in place on failure would only fill /tmp; the transcript is in the assertion message.
  execFileSync('rm', ['-rf', work]);
});

/** Each command exits 0 and prints what the page shows under it. */
function expectAsShown(results: CommandResult[]): void {
  for (const r of results) {
    const missing = missingLines(r.shown, r.output);
    expect({ command: r.command, exitCode: r.exitCode, missing }, `$ ${r.command}\n${r.output}`).toEqual({
      command: r.command,
      exitCode: 0,
      missing: [],
    });
  }
}

/** `npm start` in the copy, resolved once the http source listens. */
function npmStart(): Promise<{ child: ChildProcess; stdout: () => string; stop: () => Promise<string> }> {
  const child = spawn('npm', ['start'], { cwd: clone, env: userEnv, detached: true });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start did not listen:\n${stderr}`)), 30_000);
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (!stderr.includes('http source listening')) return;
      clearTimeout(timer);
      resolve({
        child,
        stdout: () => stdout,
        // npm runs the command in a shell: signal the whole group, as Ctrl-C in a terminal does
        // (npm itself then dies of the signal); resolves with the service's log.
        stop: async () => {
          process.kill(-child.pid!, 'SIGINT');
          await exited;
          return stderr;
        },
      });
    });
    void exited.then((code) => reject(new Error(`npm start exited (${code}):\n${stderr}`)));
  });
}

describe("README.md's quick start, on a fresh copy", () => {
  it('shows the set-up commands and the whole quick-start config', () => {
    const readme = readFileSync(join(clone, 'README.md'), 'utf8');
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toContain('npm ci && npm test');
    const shown = /```yaml\n(title: Quick start[\s\S]*?)```/.exec(readme)?.[1];
    expect(parse(shown!)).toEqual(parse(readFileSync(join(clone, 'examples/quickstart.yaml'), 'utf8')));
  });

  it('serves with `npm start`; its curl and preview print what the README shows', async () => {
    const readme = readFileSync(join(clone, 'README.md'), 'utf8');
    const steps = transcriptSteps(readme);
    expect(steps.map((s) => s.kind === 'command' && s.command.split(' ').slice(0, 3).join(' '))).toEqual([
      'curl -s -X',
      'npx bbreporters preview',
    ]);
    const service = await npmStart();
    let results: CommandResult[];
    try {
      results = await runTranscript(steps, { cwd: clone, env: userEnv });
      for (let i = 0; i < 50 && !service.stdout().includes('[buildFinished]'); i++)
        await new Promise((resolve) => setTimeout(resolve, 100));
    } finally {
      expect(await service.stop()).toMatch(/"why":"SIGINT","msg":"stopping"/);
    }
    expectAsShown(results);
    const line = service
      .stdout()
      .split('\n')
      .find((l) => l.startsWith('[buildFinished]'));
    expect(line).toBeDefined();
    expect(readme).toContain(`\n${line}\n`);
    // The mail the quick start's mail reporter wrote instead of sending (where the README says).
    const outbox = join(clone, 'examples/.bbreporters/outbox/mail');
    const mails = readdirSync(outbox).filter((f) => f.endsWith('.eml'));
    expect(mails).toHaveLength(1);
    expect(readFileSync(join(outbox, mails[0]!), 'utf8')).toContain('To: builds@example.org');
  }, 120_000);
});

describe('docs/getting-started.md, on a fresh copy', () => {
  it('installs core and two reporters, writes and checks the config, previews a mail, as the page shows', async () => {
    const page = readFileSync(join(clone, 'docs/getting-started.md'), 'utf8');
    const install = 'npm install @bbreporters/core @bbreporters/mail @bbreporters/irc';
    expect(page).toContain(`$ ${install}`);
    // The packages as the registry would serve them: packed from the copy.
    const packs = join(work, 'packs');
    mkdirSync(packs);
    execFileSync(
      'npm',
      ['pack', '--pack-destination', packs, '-w', 'core', '-w', 'plugins/mail', '-w', 'plugins/irc'],
      {
        cwd: clone,
        env: userEnv,
        stdio: 'ignore',
      },
    );
    const tarballs = readdirSync(packs).map((f) => join(packs, f));
    expect(tarballs).toHaveLength(3);
    const user = join(work, 'home');
    mkdirSync(user);
    const results = await runTranscript(transcriptSteps(page), {
      cwd: user,
      env: userEnv,
      substitutes: { [install]: `npm install --prefer-offline ${tarballs.join(' ')}` },
    });
    expectAsShown(results);
    const folder = join(user, 'ci-reporters');

    // The page's `run` (a service, so not a transcript): it starts on that config and answers /healthz.
    expect(page).toContain('npx bbreporters run');
    // The bin npx runs, started directly so that SIGTERM reaches the service itself.
    const service = spawn(join(folder, 'node_modules/.bin/bbreporters'), ['run'], {
      cwd: folder,
      env: { ...userEnv, SMTP_PASSWORD: 'correct horse battery staple' },
    });
    let log = '';
    service.stderr.on('data', (d: Buffer) => (log += d.toString()));
    const exited = new Promise<number | null>((resolve) => service.on('close', (code) => resolve(code)));
    try {
      for (let i = 0; i < 100 && !log.includes('http source listening'); i++)
        await new Promise((resolve) => setTimeout(resolve, 100));
      const health = await fetch('http://127.0.0.1:8020/healthz');
      expect(health.status, log).toBe(200);
    } finally {
      service.kill('SIGTERM');
    }
    expect(await exited, log).toBe(0);
  }, 300_000);
});
