/**
 * The mail reporter as users run it: `bbreporters preview` prints the whole message and sends
 * nothing; `bbreporters run` with the http source turns Buildbot's HttpStatusPush POST into a mail
 * at a real SMTP server. The SMTP password comes from the environment and is never printed.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { httpStatusPushDir, runCli, startService, tempDir } from './support/bbreporters-cli.js';
import { parseMail } from './support/mime.js';
import { TestSmtpServer, writeTestCa } from './support/smtp.js';

const password = 'Sm7p-Pa55word';
let smtp: TestSmtpServer;

beforeAll(async () => {
  smtp = await TestSmtpServer.start({ auth: { user: 'bbmail', pass: password } });
});
afterAll(async () => smtp.stop());

function config(dir: string): string {
  writeTestCa(dir);
  const file = join(dir, 'bbreporters.yaml');
  writeFileSync(
    file,
    `title: bbharness
buildbotURL: http://127.0.0.1:8010/
sources:
  - type: http
    listen: 127.0.0.1:0
reporters:
  - plugin: mail
    options:
      fromaddr: Buildbot <buildbot@bbharness.test>
      extraRecipients: [dev@example.test]
      mode: all
      relayhost: 127.0.0.1
      smtpPort: ${smtp.port}
      useTls: true
      tlsCa: ./smtp-ca.pem
      smtpUser: bbmail
      smtpPassword: \${SMTP_PASSWORD}
`,
  );
  return file;
}

describe('bbreporters with the mail reporter', () => {
  test('preview prints the whole message, sends nothing and never shows the password', async () => {
    const before = smtp.received.length;
    const result = await runCli(
      [
        'preview',
        '--config',
        config(tempDir()),
        '--reporter',
        'mail',
        '--event',
        join(httpStatusPushDir, 'fail.finished.json'),
      ],
      { env: { SMTP_PASSWORD: password } },
    );
    expect(result.code, result.stderr).toBe(0);
    const raw = result.stdout.split('--- raw\n')[1]?.split('\nnothing was sent (preview)')[0] ?? '';
    const mail = parseMail(raw.replace(/\n/g, '\r\n'));
    expect(mail.header('from')).toBe('Buildbot <buildbot@bbharness.test>');
    expect(mail.header('to')).toBe('dev@example.test');
    expect(mail.subject).toBe("☠ Buildbot (bbharness): fail - failed 'false' (failure) ((unknown revision))");
    expect(result.stdout).toContain(
      `"subject": "☠ Buildbot (bbharness): fail - failed 'false' (failure) ((unknown revision))"`,
    );
    expect(mail.text).toMatch(
      /^A failed build has been detected on builder fail while building bbharness\.\n\nFull details are available at:\n {4}http:\/\/127\.0\.0\.1:8010\/#builders\/5\/builds\/1\n/,
    );
    expect(`${result.stdout}${result.stderr}`).not.toContain(password);
    expect(smtp.received.length).toBe(before);
  });

  test('run: an HttpStatusPush POST becomes a mail at the SMTP server, over TLS with AUTH', async () => {
    const before = smtp.received.length;
    const service = await startService(config(tempDir()), { env: { SMTP_PASSWORD: password } });
    try {
      const reply = await fetch(service.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: readFileSync(join(httpStatusPushDir, 'warn.finished.json')),
      });
      expect(reply.status).toBe(200);
      const [received] = (await smtp.waitFor(before + 1)).slice(before);
      expect(received).toMatchObject({
        from: 'buildbot@bbharness.test',
        to: ['dev@example.test'],
        secure: true,
        user: 'bbmail',
      });
      expect(parseMail(received.raw).text).toMatch(/^A problem in the build has been detected on builder warn/);
    } finally {
      expect(await service.stop()).toBe(0);
    }
    expect(service.stderr()).not.toContain(password);
  });
});
