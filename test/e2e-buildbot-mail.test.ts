/**
 * @bbreporters/mail fed by the `buildbot` source, side by side with the real master's own
 * MailNotifier (BuildStatusGenerator mode "all", BuildSetStatusGenerator, WorkerMissingGenerator,
 * extraRecipients dev@example.test): for the same live builds, the same subject and recipients.
 * Each side has its own SMTP server on loopback.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BuildbotMaster } from './support/buildbot/buildbot.js';
import { followMaster, masterMailOptions, type OurSide } from './support/buildbot/our-side.js';
import { parseMail, type ParsedMail } from './support/mime.js';
import { TestSmtpServer } from './support/smtp.js';

let bb: BuildbotMaster;
let dir: string;
let theirSmtp: TestSmtpServer;
let ourSmtp: TestSmtpServer;
let ourSide: OurSide;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bbr-e2e-mail-'));
  [theirSmtp, ourSmtp] = await Promise.all([
    TestSmtpServer.start({ starttls: false }),
    TestSmtpServer.start({ starttls: false }),
  ]);
  bb = await BuildbotMaster.start({ smtpPort: theirSmtp.port, missingTimeout: 6 });
  ourSide = await followMaster(bb, dir, [{ plugin: 'mail', options: masterMailOptions(ourSmtp.port) }]);
});

afterAll(async () => {
  await ourSide?.close();
  await bb?.stop();
  await theirSmtp?.stop();
  await ourSmtp?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const bySubject = (match: (subject: string) => boolean) => (mail: ParsedMail) => match(mail.subject ?? '');

describe("the mail reporter against Buildbot's own MailNotifier, live", () => {
  it('a failing build: the same subject, sender, recipients and body', async () => {
    await bb.force(['fail'], 'compare mails');
    const isFailBuild = (subject: string) => subject.includes(': fail - ');
    const theirs = await theirSmtp.mailWhere(bySubject(isFailBuild), 'from Buildbot for the failing build');
    const ours = await ourSmtp.mailWhere(bySubject(isFailBuild), 'from bbreporters for the failing build');
    const [their, our] = [parseMail(theirs.raw), parseMail(ours.raw)];
    expect(our.subject).toBe(their.subject);
    expect(their.subject).toBe("☠ Buildbot (bbreporters-e2e): fail - failed 'false' (failure) ((unknown revision))");
    expect({ from: ours.from, to: ours.to }).toEqual({ from: theirs.from, to: theirs.to });
    expect(our.header('to')).toBe(their.header('to'));
    expect(our.header('from')).toBe(their.header('from'));
    expect(our.text).toBe(their.text);
  });

  it('the missing worker: the same subject and envelope recipients (no To header)', async () => {
    const isMissing = (subject: string) => subject.includes('worker ghost-worker missing');
    const theirs = await theirSmtp.mailWhere(bySubject(isMissing), 'from Buildbot for the missing worker');
    const ours = await ourSmtp.mailWhere(bySubject(isMissing), 'from bbreporters for the missing worker');
    expect(parseMail(ours.raw).subject).toBe(parseMail(theirs.raw).subject);
    expect(ours.to).toEqual(theirs.to);
    expect(ours.to).toEqual(['ops@example.test']);
    expect(parseMail(ours.raw).header('to')).toBe(parseMail(theirs.raw).header('to'));
  });
});
