/**
 * Buildset summaries and the mail's wire form, side by side with the real master's own
 * MailNotifier (issue 16, points 1 and 5). master.cfg's 'order' scenario numbers its builders
 * against their names, so a buildset's build requests and its build ids come in opposite orders:
 * Buildbot lists the builds by request, and so must we (the summary's subject is the first
 * build's). Each side has its own SMTP server on loopback.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BuildbotMaster } from './support/buildbot/buildbot.js';
import { followMaster, masterMailOptions, type OurSide } from './support/buildbot/our-side.js';
import { parseMail, parsePart, type ParsedMail } from './support/mime.js';
import { TestSmtpServer } from './support/smtp.js';

/** master.cfg's 'order' builders, in the order of their builder ids (the reverse of their names). */
const ordered = ['ord-d-pass', 'ord-c-fail', 'ord-b-warn', 'ord-a-fail'];

let bb: BuildbotMaster;
let dir: string;
let theirSmtp: TestSmtpServer;
let ourSmtp: TestSmtpServer;
let ourSide: OurSide;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bbr-e2e-summary-'));
  [theirSmtp, ourSmtp] = await Promise.all([
    TestSmtpServer.start({ starttls: false }),
    TestSmtpServer.start({ starttls: false }),
  ]);
  bb = await BuildbotMaster.start({ smtpPort: theirSmtp.port, scenarios: ['order'], missingTimeout: 3600 });
  // MailNotifier with BuildStatusGenerator and BuildSetStatusGenerator: per build, and per buildset.
  ourSide = await followMaster(
    bb,
    dir,
    ['mail-builds', 'mail-buildsets'].map((name) => ({
      plugin: 'mail',
      name,
      options: { ...masterMailOptions(ourSmtp.port), buildSetSummary: name === 'mail-buildsets' },
    })),
  );
});

afterAll(async () => {
  await ourSide?.close();
  await bb?.stop();
  await theirSmtp?.stop();
  await ourSmtp?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Buildbot's summary mail and ours for the buildset `match` picks, compared whole after decoding. */
async function compareSummaries(start: [number, number], match: (mail: ParsedMail) => boolean, what: string) {
  // A summary's subject names the buildset's project ('' when forced), a build's its builder.
  const isSummary = (mail: ParsedMail) => !/\): ord-[a-z-]+ - /.test(mail.subject) && match(mail);
  const theirs = await theirSmtp.mailWhere(isSummary, `from Buildbot for ${what}`, { from: start[0] });
  const ours = await ourSmtp.mailWhere(isSummary, `from bbreporters for ${what}`, { from: start[1] });
  const [their, our] = [parseMail(theirs.raw), parseMail(ours.raw)];
  expect(our.subject).toBe(their.subject);
  expect({ from: ours.from, to: ours.to }).toEqual({ from: theirs.from, to: theirs.to });
  expect(our.header('to')).toBe(their.header('to'));
  expect(our.text).toBe(their.text);
  return their;
}

const mentionsAll = (mail: ParsedMail) => ordered.every((name) => mail.text.includes(name));
/** Where each builder's section starts in a summary. */
const sectionOrder = (mail: ParsedMail) =>
  [...ordered].sort((a, b) => mail.text.indexOf(`on builder ${a} `) - mail.text.indexOf(`on builder ${b} `));

/** The buildset's builder names by build request, and by build id. */
async function ordersOf(bsid: number): Promise<{ byRequest: string[]; byBuildid: string[] }> {
  const names = new Map<number, string>();
  for (const b of ((await bb.get('/builders')) as { builders: Array<{ builderid: number; name: string }> }).builders)
    names.set(b.builderid, b.name);
  const { buildrequests } = (await bb.get(`/buildrequests?buildsetid=${bsid}`)) as {
    buildrequests: Array<{ buildrequestid: number; builderid: number }>;
  };
  const builds: Array<{ buildid: number; builderid: number }> = [];
  for (const r of buildrequests)
    builds.push(...((await bb.get(`/builds?buildrequestid=${r.buildrequestid}`)) as { builds: typeof builds }).builds);
  return {
    byRequest: [...buildrequests]
      .sort((a, b) => a.buildrequestid - b.buildrequestid)
      .map((r) => names.get(r.builderid)!),
    byBuildid: [...builds].sort((a, b) => a.buildid - b.buildid).map((b) => names.get(b.builderid)!),
  };
}

const marks = (): [number, number] => [theirSmtp.received.length, ourSmtp.received.length];

describe("buildset summaries against Buildbot's own MailNotifier, live", () => {
  it('four builders whose build ids run against their requests: sections and subject in request order', async () => {
    const start = marks();
    const { bsid } = await bb.force(ordered, 'summary order', {}, 'ord-force');
    const their = await compareSummaries(start, mentionsAll, 'the four-builder buildset');
    // The scenario holds: the first request's build got the last build id.
    const orders = await ordersOf(bsid);
    expect(orders.byRequest).toEqual(ordered);
    expect(orders.byBuildid.at(-1)).toBe('ord-d-pass');
    expect(sectionOrder(their)).toEqual(ordered);
    // The first request's build gives the subject; by build id it would be a failure's or warnings'.
    expect(their.subject).toBe('☺ Buildbot (bbreporters-e2e):  - build successful ((unknown revision))');
  });

  it("a fan-out: the triggered children's summary and the parent's, as Buildbot sends them", async () => {
    const start = marks();
    await bb.force(['ord-fanout'], 'summary fan-out', {}, 'ord-force');
    const children = await compareSummaries(start, mentionsAll, "the triggered children's buildset");
    expect(sectionOrder(children)).toEqual(ordered);
    const parent = await compareSummaries(
      start,
      (mail) => mail.text.includes('ord-fanout') && !mentionsAll(mail),
      "the fan-out's own buildset",
    );
    expect(parent.text).toContain('on builder ord-fanout ');
  });

  it("the wire form of a build's mail: transfer encoding, content type, the encoded subject", async () => {
    const start = marks();
    // A reason with non-ASCII text: Buildbot sends the body 8bit, long lines and all.
    await bb.force(['ord-c-fail'], 'wire form ☃ ünïcode', {}, 'ord-force');
    const isBuild = (mail: ParsedMail) => mail.text.includes('Build Reason: wire form ☃ ünïcode');
    const theirs = parsePart(
      (await theirSmtp.mailWhere(isBuild, 'from Buildbot for the build', { from: start[0] })).raw,
    );
    const ours = parsePart(
      (await ourSmtp.mailWhere(isBuild, 'from bbreporters for the build', { from: start[1] })).raw,
    );
    const wire = (mail: typeof theirs) => ({
      transferEncoding: mail.header('content-transfer-encoding'),
      contentType: mail.header('content-type'),
      // Unfolded by parsePart: folded words would show as several words here.
      subject: mail.header('subject'),
      mimeVersion: mail.header('mime-version'),
    });
    expect(wire(ours)).toEqual(wire(theirs));
    expect(wire(theirs)).toMatchObject({ transferEncoding: '8bit', contentType: 'text/plain; charset="utf-8"' });
    expect(theirs.header('subject')).toMatch(/^=\?utf-8\?q\?[^ ]+\?=$/);
  });
});
