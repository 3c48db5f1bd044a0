/**
 * @bbreporters/mail's sending through core's deliveries, against real servers: TLS required but
 * not offered, wrong password, an untrusted certificate and a permanent refusal fail at once with
 * a clear reason (password never shown); a server that is down and comes back gets the mail; the
 * outbox transport writes one .eml per mail; bad options stop the reporter at startup.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixtures, type Harness } from '@bbreporters/core/testing';
import { afterEach, describe, expect, test } from 'vitest';
import { mailHarness, smtpOptions, tempFolder } from './support/mail-harness.js';
import { parseMail } from './support/mime.js';
import { TestSmtpServer, type TestSmtpOptions } from './support/smtp.js';

const servers: TestSmtpServer[] = [];
let harness: Harness | undefined;

afterEach(async () => {
  await harness?.close();
  harness = undefined;
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

async function server(options: TestSmtpOptions = {}): Promise<TestSmtpServer> {
  const s = await TestSmtpServer.start(options);
  servers.push(s);
  return s;
}

async function sendFail(options: Record<string, unknown>, dir = tempFolder()) {
  harness = await mailHarness({ extraRecipients: ['dev@example.test'], ...options }, dir);
  await harness.emit(fixtures.fail.finished());
  const deliveries = await harness.drain(60_000);
  return { deliveries, outcome: deliveries[0]?.outcome, logs: harness.logs.join('\n') };
}

describe('SMTP failures go through core deliveries', () => {
  test('useTls against a server without STARTTLS: failed at once, saying TLS is required', async () => {
    const smtp = await server({ starttls: false });
    const dir = tempFolder();
    const { outcome } = await sendFail({ ...smtpOptions(smtp, dir), useTls: true }, dir);
    expect(outcome).toMatchObject({ status: 'failed', attempts: 1 });
    expect(outcome?.reason).toMatch(
      /SMTP server 127\.0\.0\.1:\d+: TLS is required \(useTls\) but STARTTLS failed or is not offered/,
    );
    expect(smtp.received).toHaveLength(0);
  });

  test('without useTls the same server gets the mail in clear text', async () => {
    const smtp = await server({ starttls: false });
    const dir = tempFolder();
    const { outcome } = await sendFail(smtpOptions(smtp, dir), dir);
    expect(outcome?.status).toBe('sent');
    expect(smtp.received[0].secure).toBe(false);
  });

  test('useSmtps: TLS from the first byte on the given port', async () => {
    const smtp = await server({ implicitTls: true });
    const dir = tempFolder();
    const { outcome } = await sendFail({ ...smtpOptions(smtp, dir), useSmtps: true }, dir);
    expect(outcome?.status).toBe('sent');
    expect(smtp.received[0].secure).toBe(true);
  });

  test('wrong password: failed at once, naming the user, never the password', async () => {
    const smtp = await server({ auth: { user: 'bbmail', pass: 'right-password' } });
    const dir = tempFolder();
    const { outcome, logs } = await sendFail(
      { ...smtpOptions(smtp, dir), smtpUser: 'bbmail', smtpPassword: 'Wr0ng-Secret!' },
      dir,
    );
    expect(outcome).toMatchObject({ status: 'failed', attempts: 1 });
    expect(outcome?.reason).toMatch(/authentication failed for user "bbmail".*535/);
    expect(smtp.authAttempts).toEqual([{ user: 'bbmail', ok: false }]);
    const everything = `${logs}\n${JSON.stringify(outcome)}`;
    expect(everything).not.toContain('Wr0ng-Secret!');
    expect(everything).not.toContain(Buffer.from('\u0000bbmail\u0000Wr0ng-Secret!').toString('base64'));
  });

  test('a certificate the client does not trust: failed at once, pointing at tlsCa', async () => {
    const smtp = await server();
    const { outcome } = await sendFail({ relayhost: smtp.host, smtpPort: smtp.port, useTls: true });
    expect(outcome).toMatchObject({ status: 'failed', attempts: 1 });
    expect(outcome?.reason).toMatch(/certificate was not accepted.*tlsCa/);
  });

  test('a 5xx refusal of the recipient is final and quotes the server', async () => {
    const smtp = await server({ refuse: { 'dev@example.test': { code: 550, message: 'No such user here' } } });
    const dir = tempFolder();
    const { outcome } = await sendFail(smtpOptions(smtp, dir), dir);
    expect(outcome).toMatchObject({ status: 'failed', attempts: 1 });
    expect(outcome?.reason).toMatch(/refused the mail.* 550.*No such user here/);
  });

  test('a 4xx refusal (greylisting) is retried and the mail arrives', async () => {
    const smtp = await server({
      refuse: { 'dev@example.test': { code: 450, message: 'Greylisted, try again later', times: 1 } },
    });
    const dir = tempFolder();
    const { outcome, logs } = await sendFail(smtpOptions(smtp, dir), dir);
    expect(outcome).toMatchObject({ status: 'sent', attempts: 2 });
    expect(smtp.received).toHaveLength(1);
    expect(logs).toContain('Greylisted');
  });

  test('server down, then up: the mail is retried and arrives once', async () => {
    const smtp = await server();
    await smtp.stop();
    const dir = tempFolder();
    harness = await mailHarness({ ...smtpOptions(smtp, dir), extraRecipients: ['dev@example.test'] }, dir);
    await harness.emit(fixtures.fail.finished());
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(smtp.received).toHaveLength(0);
    await smtp.start();
    const [{ outcome }] = await harness.drain(60_000);
    expect(outcome.status).toBe('sent');
    expect(outcome.attempts).toBeGreaterThan(1);
    expect(smtp.received).toHaveLength(1);
    expect(parseMail(smtp.received[0].raw).subject).toContain(': fail - ');
    expect(harness.logs.some((l) => l.includes('ECONNREFUSED'))).toBe(true);
  });

  test('several mails to the same people all arrive, in order (none supersedes another)', async () => {
    const smtp = await server();
    const dir = tempFolder();
    harness = await mailHarness({ ...smtpOptions(smtp, dir), extraRecipients: ['dev@example.test'], mode: 'all' }, dir);
    for (const name of ['pass', 'fail', 'warn', 'cancel'] as const) await harness.emit(fixtures[name].finished());
    const deliveries = await harness.drain(60_000);
    expect(deliveries.map((d) => d.outcome.status)).toEqual(['sent', 'sent', 'sent', 'sent']);
    expect(smtp.received.map((r) => parseMail(r.raw).subject.split(' ')[3])).toEqual(['pass', 'fail', 'warn', 'slow']);
  });
});

describe('outbox transport', () => {
  test('without SMTP options each mail is one .eml file in <stateDir>/outbox/<reporter>', async () => {
    const dir = tempFolder();
    harness = await mailHarness({ extraRecipients: ['dev@example.test'] }, dir);
    await harness.emit(fixtures.fail.finished());
    await harness.emit(fixtures.workerMissing());
    const deliveries = await harness.drain();
    expect(deliveries.map((d) => d.outcome.status)).toEqual(['sent', 'sent']);
    const outbox = join(dir, 'state', 'outbox', 'mail');
    const files = readdirSync(outbox).sort();
    expect(files).toHaveLength(2);
    expect(files.every((f) => /^\d{8}T\d{6}Z-[\w.-]+\.eml$/.test(f))).toBe(true);
    const texts = files.map((f) => readFileSync(join(outbox, f), 'utf8'));
    const build = texts.find((t) => t.includes('X-Envelope-To: dev@example.test'))!;
    expect(build.startsWith('Return-Path: <buildbot@bbharness.test>\r\nX-Envelope-To: dev@example.test\r\n')).toBe(
      true,
    );
    expect(parseMail(build).text).toMatch(/^A failed build has been detected on builder fail/);
    const worker = texts.find((t) => t.includes('X-Envelope-To: ops@example.test'))!;
    expect(parseMail(worker).subject).toBe('Buildbot bbharness worker ghost-worker missing');
    expect(harness.logs.some((l) => l.includes(`mail goes to outbox folder ${outbox}`))).toBe(true);
  });

  test('an outbox that cannot be written fails at once, naming the folder', async () => {
    const dir = tempFolder();
    writeFileSync(join(dir, 'taken'), 'a file where the folder should be');
    const { outcome } = await sendFail({ outbox: 'taken/mails' }, dir);
    expect(outcome).toMatchObject({ status: 'failed', attempts: 1 });
    expect(outcome?.reason).toMatch(/outbox .*taken\/mails: could not write .*\(ENOTDIR/);
  });

  test('an outbox path is relative to the config folder', async () => {
    const dir = tempFolder();
    harness = await mailHarness({ extraRecipients: ['dev@example.test'], outbox: 'mails' }, dir);
    await harness.emit(fixtures.pass.finished());
    await harness.drain();
    expect(readdirSync(join(dir, 'mails'))).toHaveLength(1);
  });
});

describe('options checked at startup', () => {
  test("invalid extra recipients and an unknown subject placeholder are reported together, in Buildbot's words", async () => {
    const error = await mailHarness({
      extraRecipients: ['ok@example.org', 'foo@invalid', 'a@x.org, b@y.org'],
      subject: '%(buildername)s failed',
    }).catch((e: unknown) => e);
    const text = String((error as { describe?: () => string }).describe?.() ?? error);
    expect(text).toContain('extra recipient foo@invalid is not a valid email');
    expect(text).toContain('extra recipient a@x.org, b@y.org is not a valid email');
    expect(text).toContain('unknown placeholder %(buildername)s');
  });

  test('schema errors: fromaddr is required, smtpPort must be a port, mode must be a known mode', async () => {
    const error = await mailHarness({ fromaddr: undefined, smtpPort: 70000, mode: ['sometimes'] }).catch(
      (e: unknown) => e,
    );
    const text = String((error as { describe?: () => string }).describe?.() ?? error);
    expect(text).toMatch(/fromaddr/);
    expect(text).toMatch(/smtpPort/);
    expect(text).toMatch(/mode/);
  });

  test('a lookup module that does not exist is named', async () => {
    const error = await mailHarness({ lookup: './nowhere.mjs#getAddress' }).catch((e: unknown) => e);
    expect(String((error as { describe?: () => string }).describe?.() ?? error)).toMatch(/nowhere\.mjs/);
  });
});
