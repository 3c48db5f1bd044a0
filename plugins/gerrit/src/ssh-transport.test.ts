import { describe, expect, it } from 'vitest';
import { classify, runGerrit, sshArgv, type SshSettings } from './ssh-transport.js';

const settings: SshSettings = {
  ssh: 'ssh',
  server: 'review.example.org',
  port: 29418,
  username: 'buildbot',
  checkHostKey: true,
  connectTimeoutSec: 10,
};

describe('ssh client arguments', () => {
  it('checks host keys, never prompts, and passes the command as one item after -- and the host', () => {
    const argv = sshArgv(
      { ...settings, knownHosts: '/etc/bb/known hosts', identityFile: '/keys/id_%d' },
      "gerrit review --message 'x'",
    );
    expect(argv).toEqual([
      '-o',
      'BatchMode=yes',
      '-o',
      'ConnectTimeout=10',
      '-o',
      'LogLevel=ERROR',
      '-o',
      'StrictHostKeyChecking=yes',
      '-o',
      'UserKnownHostsFile="/etc/bb/known hosts"',
      '-o',
      'IdentityFile=/keys/id_%%d',
      '-o',
      'IdentitiesOnly=yes',
      '-p',
      '29418',
      '-l',
      'buildbot',
      '-T',
      '--',
      'review.example.org',
      "gerrit review --message 'x'",
    ]);
  });

  it('check_host_key false is explicit in the arguments', () => {
    expect(sshArgv({ ...settings, checkHostKey: false }, 'gerrit version')).toEqual(
      expect.arrayContaining(['StrictHostKeyChecking=no', 'UserKnownHostsFile=/dev/null']),
    );
  });
});

describe('failure classification', () => {
  it.each([
    [255, 'ssh: connect to host review.example.org port 29418: Connection refused', true],
    [255, 'ssh: Could not resolve hostname review.example.org: Temporary failure in name resolution', true],
    [255, 'Connection timed out during banner exchange', true],
    [255, 'Host key verification failed.', false],
    [255, 'buildbot@review.example.org: Permission denied (publickey).', false],
    [1, 'fatal: "d34db33f" no such change', false],
    [1, 'fatal: internal server error', true],
    [127, 'gerrit: command not found', false],
  ])('exit %i with %j → retryable %s', (code, stderr, retryable) => {
    const error = classify(code, stderr);
    expect(error.retryable).toBe(retryable);
    expect(error.message).toContain(stderr.trim());
  });
});

describe('a review too long for a command line', () => {
  it('fails for good (E2BIG is not retried), naming its size', async () => {
    const error = await runGerrit(
      { ...settings, ssh: 'true' },
      `gerrit review --message '${'x'.repeat(3 * 1024 * 1024)}' abc`,
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ retryable: false, message: expect.stringContaining('E2BIG') });
  });
});
