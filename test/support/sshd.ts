/**
 * A real OpenSSH sshd standing in for Gerrit's SSH daemon: foreground (`-D -e`) on a free loopback
 * port, generated host and client keys in a temp folder (`StrictModes no`), and a ForceCommand
 * script that records SSH_ORIGINAL_COMMAND (the exact string Gerrit would split) and answers
 * `gerrit version`. The test splits the recorded strings with Gerrit's rules.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { userInfo, tmpdir } from 'node:os';
import { join } from 'node:path';

export const SSHD = '/usr/sbin/sshd';

export interface FakeGerrit {
  port: number;
  username: string;
  dir: string;
  /** Client private key that the server accepts. */
  identityFile: string;
  /** known_hosts holding the server's real host key for [127.0.0.1]:port. */
  knownHosts: string;
  /** known_hosts holding some other key for the same host (a man in the middle, or a reinstalled server). */
  wrongKnownHosts: string;
  /** Every command received, in order, `gerrit version` included. */
  commands(): string[];
  /** The review commands received (everything but `gerrit version`). */
  reviews(): string[];
  /** What `gerrit version` answers from now on. */
  setVersion(version: string): void;
  /** Review commands exit with `status` and print `stderr` (0 = accept again). */
  setFailure(status: number, stderr?: string): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  close(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || !address) throw new Error('no port');
  return address.port;
}

function keygen(file: string): string {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'bbreporters-test', '-f', file]);
  return readFileSync(`${file}.pub`, 'utf8').trim();
}

const gerritScript = (dir: string) => `#!/bin/sh
# Stands in for Gerrit: records the command string exactly as the client sent it.
printf '%s\\0' "$SSH_ORIGINAL_COMMAND" >> '${dir}/commands'
if [ "$SSH_ORIGINAL_COMMAND" = "gerrit version" ]; then
  printf 'gerrit version %s\\n' "$(cat '${dir}/version')"
  exit 0
fi
if [ -s '${dir}/failure-status' ]; then
  cat '${dir}/failure-stderr' >&2
  exit "$(cat '${dir}/failure-status')"
fi
exit 0
`;

export async function startFakeGerrit(options: { version?: string } = {}): Promise<FakeGerrit> {
  if (!existsSync(SSHD)) throw new Error(`${SSHD} is missing: install openssh-server (scripts/test.sh does)`);
  // sshd's privilege separation folder.
  if (process.getuid?.() === 0) mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const dir = mkdtempSync(join(tmpdir(), 'bbr-sshd-'));
  const port = await freePort();
  const username = userInfo().username;
  const hostKey = keygen(join(dir, 'host_key'));
  const clientKey = keygen(join(dir, 'client_key'));
  const otherKey = keygen(join(dir, 'other_host_key'));
  writeFileSync(join(dir, 'authorized_keys'), `${clientKey}\n`);
  const hostEntry = `[127.0.0.1]:${port}`;
  writeFileSync(join(dir, 'known_hosts'), `${hostEntry} ${hostKey.split(' ').slice(0, 2).join(' ')}\n`);
  writeFileSync(join(dir, 'wrong_known_hosts'), `${hostEntry} ${otherKey.split(' ').slice(0, 2).join(' ')}\n`);
  writeFileSync(join(dir, 'version'), options.version ?? '3.9.1');
  writeFileSync(join(dir, 'commands'), '');
  writeFileSync(join(dir, 'gerrit.sh'), gerritScript(dir));
  chmodSync(join(dir, 'gerrit.sh'), 0o755);
  const config = join(dir, 'sshd_config');
  writeFileSync(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${join(dir, 'host_key')}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'StrictModes no',
      'PubkeyAuthentication yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'PermitRootLogin prohibit-password',
      `AllowUsers ${username}`,
      `ForceCommand ${join(dir, 'gerrit.sh')}`,
      'AllowTcpForwarding no',
      'X11Forwarding no',
      'PrintMotd no',
      'LogLevel VERBOSE',
      '',
    ].join('\n'),
  );

  let child: ChildProcess | undefined;
  let log = '';

  const start = () =>
    new Promise<void>((resolve, reject) => {
      const proc = spawn(SSHD, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
      child = proc;
      const timer = setTimeout(() => reject(new Error(`sshd did not start within 10 s:\n${log}`)), 10_000);
      proc.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
        log += chunk;
        if (log.includes(`Server listening on 127.0.0.1 port ${port}`)) {
          clearTimeout(timer);
          resolve();
        }
      });
      proc.on('exit', (code) => {
        clearTimeout(timer);
        if (child === proc) child = undefined;
        reject(new Error(`sshd exited (${String(code)}):\n${log}`));
      });
    });

  const stop = async () => {
    const proc = child;
    if (!proc) return;
    child = undefined;
    await new Promise<void>((resolve) => {
      proc.once('exit', () => resolve());
      proc.kill('SIGTERM');
    });
  };

  await start();
  const commands = () => readFileSync(join(dir, 'commands'), 'utf8').split('\0').slice(0, -1);
  return {
    port,
    username,
    dir,
    identityFile: join(dir, 'client_key'),
    knownHosts: join(dir, 'known_hosts'),
    wrongKnownHosts: join(dir, 'wrong_known_hosts'),
    commands,
    reviews: () => commands().filter((c) => c !== 'gerrit version'),
    setVersion: (version) => writeFileSync(join(dir, 'version'), version),
    setFailure(status, stderr = '') {
      writeFileSync(join(dir, 'failure-status'), status ? String(status) : '');
      writeFileSync(join(dir, 'failure-stderr'), stderr);
    },
    start,
    stop,
    async close() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
