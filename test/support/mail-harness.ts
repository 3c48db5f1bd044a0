/**
 * Runs @bbreporters/mail in core's test harness against a real SMTP server (test/support/smtp.ts),
 * in a temporary config folder, with the master title and URL of the Buildbot 3.7 captures.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHarness, type Harness } from '@bbreporters/core/testing';
import type { TestSmtpServer } from './smtp.js';
import { writeTestCa } from './smtp.js';

export const mailPlugin = fileURLToPath(new URL('../../plugins/mail', import.meta.url));
export const buildbotMails = fileURLToPath(new URL('../fixtures/mail/', import.meta.url));

export function tempFolder(): string {
  return mkdtempSync(join(tmpdir(), 'bbr-mail-'));
}

/** Options that send through `smtp` with STARTTLS verified against the test certificate. */
export function smtpOptions(smtp: TestSmtpServer, dir: string): Record<string, unknown> {
  return { relayhost: smtp.host, smtpPort: smtp.port, tlsCa: writeTestCa(dir) };
}

export async function mailHarness(
  options: Record<string, unknown>,
  dir = tempFolder(),
  name?: string,
): Promise<Harness> {
  return createHarness({
    plugin: mailPlugin,
    configDir: dir,
    stateDir: join(dir, 'state'),
    title: 'bbharness',
    buildbotURL: 'http://127.0.0.1:8010/',
    logLevel: 'debug',
    ...(name ? { name } : {}),
    options: { fromaddr: 'buildbot@bbharness.test', ...options },
  });
}

/** A mail Buildbot 3.7's MailNotifier sent (shared/fixtures/buildbot-3.7/mail). */
export function buildbotMail(name: string): string {
  return readFileSync(join(buildbotMails, name), 'utf8');
}
