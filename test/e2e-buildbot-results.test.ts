/**
 * The results the other e2e tests never produce, side by side with a real Buildbot 3.7 master's
 * own reporters: a build that ends in EXCEPTION (its command cannot be rendered), one SKIPPED as a
 * whole, one RETRY (its worker is stopped mid-build, the request runs again and passes), and build
 * requests that never get a build (one collapsed into a newer one: SKIPPED; that one cancelled
 * while queued: CANCELLED). Buildbot's MailNotifier (per build and per buildset, mode "all"),
 * HttpStatusPush (every mode, properties and steps) and GitHubStatusPush send to their sinks; ours
 * (`buildbot` source → mail ×2, http-status-push, github, console) to others; then we compare.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { statusToString } from '@bbreporters/core';
import { RecordingServer, type RecordedRequest } from '@bbreporters/core/testing';
import { BuildbotMaster } from './support/buildbot/buildbot.js';
import { followMaster, masterMailOptions, type OurSide } from './support/buildbot/our-side.js';
import { parseMail } from './support/mime.js';
import { TestSmtpServer } from './support/smtp.js';

const SHA = 'c0ffee1234567890c0ffee1234567890c0ffee12';
/** Every build gets a GitHub stamp, so GitHubStatusPush reports it. */
const stamp = { revision: SHA, repository: 'https://github.com/acme/widgets.git', branch: 'main', project: 'widgets' };

let bb: BuildbotMaster;
let dir: string;
let ourSide: OurSide;
const smtp = {} as { theirs: TestSmtpServer; ours: TestSmtpServer };
const push = {} as { theirs: RecordingServer; ours: RecordingServer };
const github = {} as { theirs: RecordingServer; ours: RecordingServer };
const consoleLines: string[] = [];

interface Build {
  buildid: number;
  number: number;
  builderid: number;
  results: number | null;
  complete: boolean;
}
interface Request {
  buildrequestid: number;
  results: number;
  complete: boolean;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bbr-e2e-results-'));
  [smtp.theirs, smtp.ours] = await Promise.all([
    TestSmtpServer.start({ starttls: false }),
    TestSmtpServer.start({ starttls: false }),
  ]);
  [push.theirs, push.ours, github.theirs, github.ours] = await Promise.all([
    RecordingServer.start(() => ({ status: 200, body: {} })),
    RecordingServer.start(() => ({ status: 200, body: {} })),
    RecordingServer.start(() => ({ status: 201, body: {} })),
    RecordingServer.start(() => ({ status: 201, body: {} })),
  ]);
  // console prints to stderr; keep its lines (and only its lines) for the comparison with the master's results
  const write = process.stderr.write.bind(process.stderr);
  vi.spyOn(process.stderr, 'write').mockImplementation(((chunk: string, ...rest: unknown[]) => {
    if (String(chunk).startsWith('[build')) {
      consoleLines.push(String(chunk).trimEnd());
      const done = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      done?.();
      return true;
    }
    return write(chunk, ...(rest as []));
  }) as typeof process.stderr.write);

  bb = await BuildbotMaster.start({
    smtpPort: smtp.theirs.port,
    push: [{ url: `${push.theirs.url}/buildbot`, style: 'all' }],
    githubUrl: github.theirs.url,
    scenarios: ['results'],
    missingTimeout: 3600,
  });
  const mail = masterMailOptions(smtp.ours.port);
  // What master.cfg configures for Buildbot's own reporters, in our options.
  ourSide = await followMaster(bb, dir, [
    { plugin: 'mail', options: mail },
    { plugin: 'mail', name: 'mail-buildsets', options: { ...mail, buildSetSummary: true } },
    {
      plugin: 'http-status-push',
      options: {
        serverUrl: `${push.ours.url}/buildbot`,
        wantProperties: true,
        wantSteps: true,
        wantPreviousBuild: true,
      },
    },
    { plugin: 'github', options: { token: 'gh-e2e-token', baseURL: github.ours.url } },
    { plugin: 'console', options: { stream: 'stderr' } },
  ]);
}, 120_000);

afterAll(async () => {
  vi.restoreAllMocks();
  await ourSide?.close();
  await bb?.stop();
  await Promise.all([smtp.theirs?.stop(), smtp.ours?.stop()]);
  await Promise.all([push.theirs?.close(), push.ours?.close(), github.theirs?.close(), github.ours?.close()]);
  rmSync(dir, { recursive: true, force: true });
});

const force = (builder: string, reason: string) => bb.force([builder], reason, stamp, 'res-force');

async function buildsOfRequest(brid: number): Promise<Build[]> {
  return ((await bb.get(`/buildrequests/${brid}/builds`)) as { builds: Build[] }).builds;
}

async function request(brid: number): Promise<Request> {
  return ((await bb.get(`/buildrequests/${brid}`)) as { buildrequests: Request[] }).buildrequests[0];
}

/** Waits until both sides are quiet: the master idle, our deliveries drained, no new mail or post for a second. */
async function settle(): Promise<void> {
  await bb.waitIdle(90_000);
  const count = () =>
    smtp.theirs.received.length +
    smtp.ours.received.length +
    push.theirs.requests.length +
    push.ours.requests.length +
    github.theirs.requests.length +
    github.ours.requests.length +
    consoleLines.length;
  let last = -1;
  while (last !== count()) {
    last = count();
    await ourSide.runtime.deliveries.drain(10_000);
    await new Promise((r) => setTimeout(r, 1500));
  }
}

const mailsAbout = (server: TestSmtpServer, builder: string) =>
  server.received
    .map((m) => ({ ...parseMail(m.raw), envelope: m.to }))
    .filter((m) => `${m.subject ?? ''}\n${m.text}`.includes(builder))
    .map((m) => ({ subject: m.subject, envelope: m.envelope, to: m.header('to'), text: m.text }))
    .sort((a, b) => `${a.subject}${a.text}`.localeCompare(`${b.subject}${b.text}`));

/**
 * Buildbot 3.7 hands one message object to all its reporters, and each writes the steps it fetched
 * into it (mq/simple.py, reporters/utils.py getDetailsForBuilds): when HttpStatusPush (steps without
 * logs) writes last, MailNotifier's mail has no "Logs:" lines. Ours always lists the logs, as
 * Buildbot's mail does when it wins that race; so mails are compared without the log lists, and
 * ours must have them.
 */
const withoutLogLists = (text: string) => text.replace(/\n {4}Logs:(\n {8}- .*)+/g, '');

/** Buildbot's mails about the builder and ours: the same subjects, recipients and bodies; returns their count. */
function expectSameMails(builder: string, logs: string[]): number {
  const theirs = mailsAbout(smtp.theirs, builder);
  const ours = mailsAbout(smtp.ours, builder);
  const comparable = (mails: typeof ours) => mails.map((m) => ({ ...m, text: withoutLogLists(m.text) }));
  expect(comparable(ours)).toEqual(comparable(theirs));
  for (const mail of ours) for (const log of logs) expect(mail.text).toMatch(new RegExp(`\n {8}- ${log}: http`));
  return theirs.length;
}

const bodies = (requests: RecordedRequest[]) => requests.map((r) => JSON.parse(r.body) as Record<string, unknown>);
const postsAbout = (server: RecordingServer, builder: string) =>
  bodies(server.requests).filter((b) => (b.builder as { name: string } | undefined)?.name === builder);
/** What a post tells of the result: the full bodies differ in fields that are not about results (issue 16 point 2). */
const resultOf = ({ buildid, number, complete, results, state_string }: Record<string, unknown>) => ({
  buildid,
  number,
  complete,
  results,
  state_string,
});
interface GitHubStatus {
  state: string;
  description: string;
  target_url: string;
  context: string;
}
const statusesAbout = (server: RecordingServer, builder: string) =>
  server.requests
    .filter((r) => r.method === 'POST' && (JSON.parse(r.body) as GitHubStatus).context === `buildbot/${builder}`)
    .map((r) => ({ url: r.url, ...(JSON.parse(r.body) as GitHubStatus) }));
/** 3.7's GitHubStatusPush also reports build requests (BuildRequestGenerator: "Build pending.", and error when cancelled). */
const isRequestStatus = (status: { target_url: string }) => status.target_url.includes('#buildrequests/');
const buildStatuses = <S extends { target_url: string }>(statuses: S[]) => statuses.filter((s) => !isRequestStatus(s));

describe("EXCEPTION, RETRY, SKIPPED and requests without a build, against Buildbot 3.7's own reporters", () => {
  it('a build SKIPPED as a whole: no mail on either side; GitHub success both; our push also posts its end', async () => {
    const { requests } = await force('res-skipped', 'skip it');
    await settle();
    const [build] = await buildsOfRequest(Object.values(requests)[0]);
    expect(build.results).toBe(3);

    expect(mailsAbout(smtp.theirs, 'res-skipped')).toEqual([]);
    expect(mailsAbout(smtp.ours, 'res-skipped')).toEqual([]);
    const statuses = statusesAbout(github.theirs, 'res-skipped');
    expect(statusesAbout(github.ours, 'res-skipped')).toEqual(buildStatuses(statuses));
    expect(statuses.map((s) => [s.state, s.description])).toEqual([
      ['pending', 'Build pending.'],
      ['pending', 'Build started.'],
      ['success', 'Build done.'],
    ]);
    // Buildbot's push reports SKIPPED only under "change" (a previous build with another result): not here.
    const [theirs, ours] = [postsAbout(push.theirs, 'res-skipped'), postsAbout(push.ours, 'res-skipped')];
    expect(theirs.map((b) => b.complete)).toEqual([false]);
    expect(ours.map((b) => b.complete)).toEqual([false, true]);
    expect(resultOf(ours[0])).toEqual(resultOf(theirs[0]));
    expect(ours[1].results).toBe(3);
    expect(consoleLines).toContain(
      `[buildFinished] res-skipped #${build.number} SKIPPED: build successful ${bb.url}#builders/${build.builderid}/builds/${build.number}`,
    );
  }, 120_000);

  it('a build in EXCEPTION: the same mails (per build and per buildset), posts and GitHub states', async () => {
    const { requests } = await force('res-exception', 'raise');
    await settle();
    const [build] = await buildsOfRequest(Object.values(requests)[0]);
    expect(build.results).toBe(4);

    expect(expectSameMails('res-exception', ['err.text', 'err.html'])).toBe(2);
    const posts = postsAbout(push.theirs, 'res-exception').map(resultOf);
    expect(postsAbout(push.ours, 'res-exception').map(resultOf)).toEqual(posts);
    expect(posts.map((b) => b.results)).toEqual([null, 4]);
    const statuses = statusesAbout(github.theirs, 'res-exception');
    expect(statusesAbout(github.ours, 'res-exception')).toEqual(buildStatuses(statuses));
    expect(statuses.map((s) => s.state)).toEqual(['pending', 'pending', 'error']);
    expect(consoleLines.some((l) => l.startsWith(`[buildFinished] res-exception #${build.number} EXCEPTION`))).toBe(
      true,
    );
  }, 120_000);

  it('a worker lost mid-build: RETRY, then the retried build passes; the same mails, the retry posted by ours only', async () => {
    await bb.startWorker('res-worker');
    const { requests } = await force('res-retry', 'lose the worker');
    const brid = Object.values(requests)[0];
    await bb.waitFor(async () => (await buildsOfRequest(brid)).length === 1, 30_000, 'the res-retry build');
    // the step's command is running (the build started its second step) before the worker goes
    await new Promise((r) => setTimeout(r, 2000));
    await bb.stopWorker('res-worker');
    await bb.waitFor(
      async () => (await buildsOfRequest(brid))[0]?.complete === true,
      30_000,
      'the res-retry build to end',
    );
    await bb.startWorker('res-worker');
    await settle();
    const builds = await buildsOfRequest(brid);
    expect(builds.map((b) => b.results)).toEqual([5, 0]);

    // no mail for the RETRY build; per build and per buildset the retried one
    expect(expectSameMails('res-retry', ['stdio'])).toBe(2);
    // GitHub: the RETRY build ends pending, then the retried build starts and passes
    const statuses = statusesAbout(github.theirs, 'res-retry');
    expect(statusesAbout(github.ours, 'res-retry')).toEqual(buildStatuses(statuses));
    expect(statuses.map((s) => [s.state, s.description])).toEqual([
      ['pending', 'Build pending.'],
      ['pending', 'Build started.'],
      ['pending', 'Build done.'],
      ['pending', 'Build started.'],
      ['success', 'Build done.'],
    ]);
    // Buildbot's push: start, start, end of the retried build (RETRY only under "change"); ours posts every end
    const theirPosts = postsAbout(push.theirs, 'res-retry').map(resultOf);
    const ourPosts = postsAbout(push.ours, 'res-retry').map(resultOf);
    expect(theirPosts.map((b) => [b.number, b.results])).toEqual([
      [builds[0].number, null],
      [builds[1].number, null],
      [builds[1].number, 0],
    ]);
    expect(ourPosts.map((b) => [b.number, b.results])).toEqual([
      [builds[0].number, null],
      [builds[0].number, 5],
      [builds[1].number, null],
      [builds[1].number, 0],
    ]);
    expect(ourPosts.filter((b) => b.results !== 5)).toEqual(theirPosts);
    expect(consoleLines.some((l) => l.startsWith(`[buildFinished] res-retry #${builds[0].number} RETRY`))).toBe(true);
  }, 180_000);

  it('requests that never get a build (collapsed: SKIPPED; cancelled while queued: CANCELLED): nothing sent on either side', async () => {
    const before = {
      mails: [smtp.theirs.received.length, smtp.ours.received.length],
      posts: [push.theirs.requests.length, push.ours.requests.length],
      statuses: [github.theirs.requests.length, github.ours.requests.length],
      lines: consoleLines.length,
    };
    const older = Object.values((await force('res-queued', 'queued')).requests)[0];
    const newer = Object.values((await force('res-queued', 'queued')).requests)[0];
    await bb.waitFor(async () => (await request(older)).complete, 30_000, 'the older request to collapse');
    await bb.rpc(`/buildrequests/${newer}`, 'cancel', { reason: 'cancelled while queued' });
    await settle();
    expect([(await request(older)).results, (await request(newer)).results]).toEqual([3, 6]);
    expect(await buildsOfRequest(older)).toEqual([]);
    expect(await buildsOfRequest(newer)).toEqual([]);

    expect([smtp.theirs.received.length, smtp.ours.received.length]).toEqual(before.mails);
    expect([push.theirs.requests.length, push.ours.requests.length]).toEqual(before.posts);
    // Buildbot's GitHubStatusPush: both requests pending when queued, the cancelled one error; ours: no status
    expect(github.ours.requests.length).toBe(before.statuses[1]);
    expect(
      statusesAbout(github.theirs, 'res-queued').map((s) => [s.state, s.description, s.target_url.split('#')[1]]),
    ).toEqual([
      ['pending', 'Build pending.', `buildrequests/${older}`],
      ['pending', 'Build pending.', `buildrequests/${newer}`],
      ['error', 'Build pending.', `buildrequests/${newer}`],
    ]);
    expect(consoleLines.slice(before.lines)).toEqual([]);
  }, 120_000);

  it('console names every result as the master does', async () => {
    const { builds } = (await bb.get('/builds?complete=true')) as { builds: Build[] };
    const { builders } = (await bb.get('/builders')) as { builders: Array<{ builderid: number; name: string }> };
    const nameOf = (id: number) => builders.find((b) => b.builderid === id)!.name;
    for (const build of builds) {
      const head = `[buildFinished] ${nameOf(build.builderid)} #${build.number} ${statusToString(build.results).toUpperCase()}:`;
      expect(consoleLines.some((l) => l.startsWith(head))).toBe(true);
    }
  });
});
