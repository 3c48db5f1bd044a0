/**
 * Runs one Gerrit command over the system's OpenSSH client (as Buildbot does): the command string
 * is one argv item after `--` and the host, so ssh sends it verbatim as the exec request and no
 * local shell ever sees it. Host keys are checked against known_hosts (StrictHostKeyChecking=yes)
 * unless explicitly turned off. Failures are classified for core's retries.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { resolve } from 'node:path';

export interface SshSettings {
  ssh: string;
  server: string;
  port: number;
  username: string;
  /** Absolute paths. */
  identityFile?: string;
  knownHosts?: string;
  checkHostKey: boolean;
  connectTimeoutSec: number;
}

export interface SshResult {
  stdout: string;
  stderr: string;
}

/** A failed ssh run: `retryable` says whether trying again later can help. */
export class GerritSshError extends Error {
  override readonly name = 'GerritSshError';
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super(message);
  }
}

export function sshSettings(
  options: {
    ssh_command?: string;
    server?: string;
    port?: number;
    username: string;
    identity_file?: string;
    known_hosts?: string;
    check_host_key?: boolean;
    connect_timeout?: number;
  },
  configDir: string,
): SshSettings {
  if (!options.server) throw new Error('server is required with transport ssh');
  return {
    ssh: options.ssh_command ?? 'ssh',
    server: options.server,
    port: options.port ?? 29418,
    username: options.username,
    ...(options.identity_file ? { identityFile: resolve(configDir, options.identity_file) } : {}),
    ...(options.known_hosts ? { knownHosts: resolve(configDir, options.known_hosts) } : {}),
    checkHostKey: options.check_host_key ?? true,
    connectTimeoutSec: options.connect_timeout ?? 10,
  };
}

/** A file path as an ssh `-o` value: ssh splits values on blanks and expands `%` tokens. */
function optionPath(path: string): string {
  if (path.includes('"')) throw new Error(`ssh cannot take a file path containing a double quote: ${path}`);
  const escaped = path.replace(/%/g, '%%');
  return /\s/.test(escaped) ? `"${escaped}"` : escaped;
}

/** The ssh client's argv for `command` (the last item, sent as is). */
export function sshArgv(settings: SshSettings, command: string): string[] {
  const hostKeys = settings.checkHostKey
    ? [
        '-o',
        'StrictHostKeyChecking=yes',
        ...(settings.knownHosts ? ['-o', `UserKnownHostsFile=${optionPath(settings.knownHosts)}`] : []),
      ]
    : ['-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null'];
  // Not -i: ssh expands % tokens in identity paths after -i has checked the unexpanded name.
  const identity = settings.identityFile
    ? ['-o', `IdentityFile=${optionPath(settings.identityFile)}`, '-o', 'IdentitiesOnly=yes']
    : [];
  return [
    '-o',
    'BatchMode=yes',
    '-o',
    `ConnectTimeout=${settings.connectTimeoutSec}`,
    '-o',
    'LogLevel=ERROR',
    ...hostKeys,
    ...identity,
    '-p',
    String(settings.port),
    '-l',
    settings.username,
    '-T',
    '--',
    settings.server,
    command,
  ];
}

/** ssh's own failures (exit 255) that a later try can fix: the server down, unreachable or restarting. */
const transientSsh =
  /connection refused|connection timed out|timed out|no route to host|network is unreachable|connection reset|connection closed|kex_exchange_identification|broken pipe|temporary failure in name resolution|could not resolve hostname/i;
/** Gerrit's answers worth another try (its exit status is not 0). */
const transientGerrit = /internal server error|too many|temporarily|try again|timeout|unavailable/i;

export function classify(code: number | null, stderr: string): GerritSshError {
  const reason = stderr.trim().split('\n').filter(Boolean).slice(-3).join(' / ') || 'no message';
  if (code === 255) {
    if (/host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED/i.test(stderr)) {
      return new GerritSshError(
        `the server's host key is not the one in known_hosts (refused): ${reason}`,
        false,
        code,
        stderr,
      );
    }
    if (/permission denied/i.test(stderr))
      return new GerritSshError(`Gerrit refused the login (check username and key): ${reason}`, false, code, stderr);
    return new GerritSshError(`ssh failed: ${reason}`, transientSsh.test(stderr), code, stderr);
  }
  return new GerritSshError(
    `gerrit exited with status ${String(code)}: ${reason}`,
    transientGerrit.test(stderr),
    code,
    stderr,
  );
}

/** Runs `command` on the Gerrit server; resolves with its output when it exits 0. */
export function runGerrit(settings: SshSettings, command: string, signal?: AbortSignal): Promise<SshResult> {
  return new Promise((resolvePromise, reject) => {
    if (signal?.aborted) return reject(new GerritSshError('aborted before ssh started', true, null, ''));
    let child: ChildProcessByStdio<null, Readable, Readable>;
    try {
      child = spawn(settings.ssh, sshArgv(settings, command), {
        stdio: ['ignore', 'pipe', 'pipe'],
        ...(signal ? { signal } : {}),
      });
    } catch (error) {
      // Some failures (E2BIG) are thrown at once rather than reported by the 'error' event.
      return reject(spawnFailure(error as NodeJS.ErrnoException, settings, command, ''));
    }
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', (error: NodeJS.ErrnoException) => reject(spawnFailure(error, settings, command, stderr)));
    child.on('close', (code, killedBy) => {
      if (code === 0) resolvePromise({ stdout, stderr });
      else if (code !== null) reject(classify(code, stderr));
      // An abort is reported by the 'error' event above.
      else if (!signal?.aborted) reject(new GerritSshError(`ssh was killed (${String(killedBy)})`, true, null, stderr));
    });
  });
}

/** Why ssh could not run, and whether trying again later can help. */
function spawnFailure(
  error: NodeJS.ErrnoException,
  settings: SshSettings,
  command: string,
  stderr: string,
): GerritSshError {
  if (error.code === 'ENOENT')
    return new GerritSshError(
      `the ssh client "${settings.ssh}" is not installed (install openssh-client or set ssh_command)`,
      false,
      null,
      '',
    );
  // A review too long for a command line stays too long: retrying cannot help.
  if (error.code === 'E2BIG')
    return new GerritSshError(
      `the review is too long for an ssh command line (E2BIG, ${Buffer.byteLength(command)} bytes): shorten the message`,
      false,
      null,
      '',
    );
  if (error.name === 'AbortError')
    return new GerritSshError('ssh was stopped (shutdown or timeout)', true, null, stderr);
  return new GerritSshError(`ssh could not run: ${error.message}`, true, null, stderr);
}
