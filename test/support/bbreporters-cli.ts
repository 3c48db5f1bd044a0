/** Runs the built `bbreporters` command as a child process, the way users run it. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const cliPath = join(repoRoot, 'core/dist/cli/main.js');
export const fixturePlugins = join(repoRoot, 'test/fixtures/plugins');
export const httpStatusPushDir = join(repoRoot, 'core/fixtures/httpstatuspush');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  env?: Record<string, string>;
  input?: string;
  cwd?: string;
  /** The `bbreporters` executable (default: node with this repo's built CLI), e.g. a production install's bin. */
  bin?: string;
}

export interface ServiceOptions extends CliOptions {
  /** More `run` options, e.g. `--drain-ms 8000`. */
  runArgs?: string[];
}

/** The command line that runs the CLI with `args`. */
function commandLine(args: string[], options: CliOptions): [string, string[]] {
  return options.bin ? [options.bin, args] : [process.execPath, [cliPath, ...args]];
}

function childEnv(env: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, ...env };
}

export function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(...commandLine(args, options), {
      cwd: options.cwd ?? repoRoot,
      env: childEnv(options.env),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

/** A temporary folder holding `files` (name → content). */
export function tempDir(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'bbr-cli-'));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}

export interface RunningService {
  child: ChildProcess;
  /** The http source's endpoint, from its "listening" log line. */
  url: string;
  stdout(): string;
  stderr(): string;
  /** Sends `signal` and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `bbreporters run --config FILE` (without a file: the config found in `options.cwd`) and waits until its http source listens. */
export function startService(config: string | undefined, options: ServiceOptions = {}): Promise<RunningService> {
  const child = spawn(
    ...commandLine(['run', ...(config ? ['--config', config] : []), ...(options.runArgs ?? [])], options),
    { cwd: options.cwd ?? repoRoot, env: childEnv(options.env) },
  );
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the service did not start listening:\n${stderr}`)), 15_000);
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      const line = stderr.split('\n').find((l) => l.includes('"http source listening"'));
      if (!line) return;
      clearTimeout(timer);
      resolve({
        child,
        url: (JSON.parse(line) as { url: string }).url,
        stdout: () => stdout,
        stderr: () => stderr,
        stop: (signal = 'SIGTERM') => {
          child.kill(signal);
          return exited;
        },
      });
    });
    void exited.then((code) => reject(new Error(`the service exited (${code}) before listening:\n${stderr}`)));
  });
}
