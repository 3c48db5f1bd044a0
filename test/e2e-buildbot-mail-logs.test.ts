/**
 * Logs in mails from a push-only setup: a real Buildbot 3.7 master's HttpStatusPush (3.7's
 * default: no steps, no logs) posts to our `http` source. With `buildbotURL` naming the master,
 * the mail reporter (addLogs) fetches what the body lacks over REST and sends what the master's
 * own MailNotifier (add_logs=True) sends for the same build: subject, recipients, body with its
 * Logs sections, attachments. Without a way to ask the master, the mail lacks them and `run`
 * says why once, naming the config key to add.
 *
 * 3.7 fills the build dict its reporters share in place: when the MailNotifier's steps and log
 * lists land before HttpStatusPush serialises the body, the body carries them. Log texts never:
 * the attachments always come over REST.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Service, loadConfig } from '@bbreporters/core';
import { BuildbotMaster, freePort } from './support/buildbot/buildbot.js';
import { parseMail, type ParsedMail } from './support/mime.js';
import { TestSmtpServer } from './support/smtp.js';

let bb: BuildbotMaster;
let dir: string;
let theirSmtp: TestSmtpServer;
let enrichedSmtp: TestSmtpServer;
let bareSmtp: TestSmtpServer;
const services: Service[] = [];
/** The log lines of the service without buildbotURL. */
const bareLog: Array<{ level: number; msg: string; reporter?: string; unmet?: string[] }> = [];

function mailConfig(name: string, lines: string[], smtpPort: number, pushPort: number): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    [
      // The master's c['title'], as MailNotifier uses it.
      'title: bbreporters-e2e',
      `stateDir: ${join(dir, `${name}-state`)}`,
      ...lines,
      'sources:',
      `  - { type: http, listen: "127.0.0.1:${pushPort}", path: /buildbot }`,
      'reporters:',
      '  - plugin: mail',
      '    options:',
      '      fromaddr: buildbot@bbharness.test',
      '      sendToInterestedUsers: false',
      '      extraRecipients: [dev@example.test]',
      '      mode: all',
      '      addLogs: true',
      '      relayhost: 127.0.0.1',
      `      smtpPort: ${smtpPort}`,
    ].join('\n'),
  );
  return file;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bbr-e2e-mail-logs-'));
  [theirSmtp, enrichedSmtp, bareSmtp] = await Promise.all(
    [1, 2, 3].map(() => TestSmtpServer.start({ starttls: false })),
  );
  const [enrichedPush, barePush] = [await freePort(), await freePort()];
  bb = await BuildbotMaster.start({
    missingTimeout: 3600,
    logsSmtpPort: theirSmtp.port,
    push: [
      { url: `http://127.0.0.1:${enrichedPush}/buildbot`, style: 'default' },
      { url: `http://127.0.0.1:${barePush}/buildbot`, style: 'default' },
    ],
  });
  const quiet = { write: () => {} };
  services.push(
    await Service.start(
      loadConfig(mailConfig('enriched', [`buildbotURL: ${bb.url}`], enrichedSmtp.port, enrichedPush)),
      { logDestination: quiet },
    ),
  );
  const collect = { write: (line: string) => void bareLog.push(JSON.parse(line) as (typeof bareLog)[number]) };
  services.push(
    await Service.start(loadConfig(mailConfig('bare', [], bareSmtp.port, barePush)), { logDestination: collect }),
  );
});

afterAll(async () => {
  for (const service of services) await service.stop(2000);
  await bb?.stop();
  await Promise.all([theirSmtp, enrichedSmtp, bareSmtp].map((s) => s?.stop()));
  rmSync(dir, { recursive: true, force: true });
});

async function mailsFor(server: TestSmtpServer, count: number, what: string): Promise<ParsedMail[]> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const mails = server.received.map((m) => parseMail(m.raw)).filter((m) => m.subject.includes(': warn - '));
    if (mails.length >= count) return mails;
    if (Date.now() > deadline) throw new Error(`${mails.length} of ${count} mails ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('logs in mails built from HttpStatusPush bodies, against the master’s own MailNotifier', () => {
  it('with buildbotURL: the same subject, recipients, body (Logs sections) and attached logs', async () => {
    await bb.force(['warn'], 'compare logs');
    const [theirs] = await mailsFor(theirSmtp, 1, 'from Buildbot');
    const [ours] = await mailsFor(enrichedSmtp, 1, 'from bbreporters');
    expect(theirs.text).toContain('    Logs:\n        - stdio: ');
    expect(ours.subject).toBe(theirs.subject);
    expect(ours.header('to')).toBe(theirs.header('to'));
    expect(ours.text).toBe(theirs.text);
    const attached = (mail: ParsedMail) => mail.attachments.map((a) => ({ filename: a.filename, content: a.content }));
    expect(attached(theirs).map((a) => a.filename)).toEqual([
      'compile.stdio',
      'compile.warnings (2)',
      'soft-fail.stdio',
    ]);
    expect(attached(ours)).toEqual(attached(theirs));
  });

  it('without a way to ask the master: no attached logs, and one warning naming buildbotAPI', async () => {
    await bb.force(['warn'], 'no logs');
    const bare = await mailsFor(bareSmtp, 2, 'from bbreporters without buildbotURL');
    expect(bare.map((m) => m.attachments)).toEqual([[], []]);
    const warnings = bareLog.filter((l) => l.level === 40 && l.msg.includes('buildbotAPI'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ reporter: 'mail', unmet: expect.arrayContaining(['log_contents']) });
  });
});
