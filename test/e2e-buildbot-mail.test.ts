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
import { BuildbotSource, Runtime } from '@bbreporters/core';
import { BuildbotMaster } from './support/buildbot/buildbot.js';
import { parseMail } from './support/mime.js';
import { TestSmtpServer, type ReceivedMail } from './support/smtp.js';

const repoRoot = new URL('..', import.meta.url).pathname;
const quiet = { write: () => {} };

let bb: BuildbotMaster;
let dir: string;
let theirSmtp: TestSmtpServer;
let ourSmtp: TestSmtpServer;
let source: BuildbotSource;
let runtime: Runtime;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bbr-e2e-mail-'));
  [theirSmtp, ourSmtp] = await Promise.all([
    TestSmtpServer.start({ starttls: false }),
    TestSmtpServer.start({ starttls: false }),
  ]);
  bb = await BuildbotMaster.start({ smtpPort: theirSmtp.port, missingTimeout: 6 });
  source = new BuildbotSource({ url: bb.url, stateFile: join(dir, 'state.json') });
  runtime = await Runtime.start({
    configDir: repoRoot,
    logDestination: quiet,
    // The master's c['title'] and c['buildbotURL'], as MailNotifier uses them.
    title: 'bbreporters-e2e',
    buildbotURL: bb.url,
    stateDir: join(dir, 'state'),
    master: source.master,
    enricher: source.enricher,
    reporters: [
      {
        plugin: 'mail',
        options: {
          fromaddr: 'buildbot@bbharness.test',
          sendToInterestedUsers: false,
          extraRecipients: ['dev@example.test'],
          mode: 'all',
          relayhost: '127.0.0.1',
          smtpPort: ourSmtp.port,
        },
      },
    ],
  });
  await source.start((input) => runtime.emit(input));
});

afterAll(async () => {
  await source?.close();
  await runtime?.close(2000);
  await bb?.stop();
  await theirSmtp?.stop();
  await ourSmtp?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function mailWhere(
  server: TestSmtpServer,
  match: (subject: string) => boolean,
  what: string,
): Promise<ReceivedMail> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const found = server.received.find((m) => match(parseMail(m.raw).subject ?? ''));
    if (found) return found;
    if (Date.now() > deadline)
      throw new Error(`no mail ${what}; subjects: ${server.received.map((m) => parseMail(m.raw).subject).join(' | ')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("the mail reporter against Buildbot's own MailNotifier, live", () => {
  it('a failing build: the same subject, sender, recipients and body', async () => {
    await bb.force(['fail'], 'compare mails');
    const isFailBuild = (subject: string) => subject.includes(': fail - ');
    const theirs = await mailWhere(theirSmtp, isFailBuild, 'from Buildbot for the failing build');
    const ours = await mailWhere(ourSmtp, isFailBuild, 'from bbreporters for the failing build');
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
    const theirs = await mailWhere(theirSmtp, isMissing, 'from Buildbot for the missing worker');
    const ours = await mailWhere(ourSmtp, isMissing, 'from bbreporters for the missing worker');
    expect(parseMail(ours.raw).subject).toBe(parseMail(theirs.raw).subject);
    expect(ours.to).toEqual(theirs.to);
    expect(ours.to).toEqual(['ops@example.test']);
    expect(parseMail(ours.raw).header('to')).toBe(parseMail(theirs.raw).header('to'));
  });
});
