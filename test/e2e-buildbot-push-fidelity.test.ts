/**
 * HttpStatusPush fidelity against a real Buildbot 3.7 master: the master's own HttpStatusPush posts
 * to one sink, bbreporters' @bbreporters/http-status-push fed by the `buildbot` source over the data
 * API posts to another. Every build's posts must be the same bodies in the same order: pass, fail,
 * warn, a fan-out parent and its child (parentbuild non-null), and builds that started and finished
 * while bbreporters was stopped (restart).
 *
 * Once for 3.7's default HttpStatusPush, once for the "all" one (every mode, want_properties,
 * want_steps, prev_build), each on its own master: Buildbot hands every reporter the same build
 * dict and getDetailsForBuild writes into it, so next to the "all" reporter the default one posts
 * steps and prev_build too (docs/compatibility.md, HttpStatusPush).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Service, loadConfig } from '@bbreporters/core';
import { RecordingServer } from '@bbreporters/core/testing';
import { BuildbotMaster } from './support/buildbot/buildbot.js';

const pushPlugin = fileURLToPath(new URL('../plugins/http-status-push', import.meta.url));
const quiet = { write: () => {} };

type Body = Record<string, unknown> & { buildid: number };
type Style = 'default' | 'all';

/** Our reporter's options asking for what each of the master's configurations posts. */
const ourOptions: Record<Style, string> = {
  // 3.7's default formatter (MessageFormatterFunction) wants the properties.
  default: 'wantProperties: true',
  all: 'wantProperties: true, wantSteps: true, wantPreviousBuild: true',
};

let bb: BuildbotMaster;
let dir: string;
let configFile: string;
let service: Service | undefined;
/** What the master's own HttpStatusPush posted, and what ours did. */
let theirs: RecordingServer;
let ours: RecordingServer;

async function startBench(style: Style): Promise<void> {
  dir = mkdtempSync(join(tmpdir(), 'bbr-e2e-push-fidelity-'));
  [theirs, ours] = [await RecordingServer.start(), await RecordingServer.start()];
  bb = await BuildbotMaster.start({ missingTimeout: 3600, push: [{ url: `${theirs.url}/buildbot`, style }] });
  configFile = join(dir, 'bbreporters.yaml');
  writeFileSync(
    configFile,
    [
      `stateDir: ${join(dir, 'state')}`,
      'sources:',
      `  - { type: buildbot, url: "${bb.url}", reconnectDelay: 100 }`,
      'reporters:',
      `  - { plugin: ${pushPlugin}, options: { serverUrl: "${ours.url}/buildbot", ${ourOptions[style]} } }`,
    ].join('\n'),
  );
  service = await Service.start(loadConfig(configFile), { logDestination: quiet });
}

async function stopBench(): Promise<void> {
  await service?.stop(1000);
  service = undefined;
  await bb?.stop();
  await theirs?.close();
  await ours?.close();
  rmSync(dir, { recursive: true, force: true });
}

const bodies = (sink: RecordingServer): Body[] => sink.requests.map((r) => JSON.parse(r.body) as Body);

/** The posts of one build, in the order they arrived. */
const postsOf = (sink: RecordingServer, buildid: number) => bodies(sink).filter((b) => b.buildid === buildid);

interface Difference {
  path: string;
  theirs: unknown;
  ours: unknown;
}

const ABSENT = Symbol('absent');
const shown = (value: unknown) => (value === ABSENT ? '(absent)' : JSON.stringify(value));

/** Every leaf where `ours` differs from `theirs`. */
function diff(theirs: unknown, ours: unknown, path = ''): Difference[] {
  if (JSON.stringify(theirs) === JSON.stringify(ours)) return [];
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
  if (!isObject(theirs) || !isObject(ours) || Array.isArray(theirs) !== Array.isArray(ours))
    return [{ path: path || '.', theirs, ours }];
  const keys = [...new Set([...Object.keys(theirs), ...Object.keys(ours)])];
  return keys.flatMap((k) => diff(k in theirs ? theirs[k] : ABSENT, k in ours ? ours[k] : ABSENT, `${path}.${k}`));
}

/** A request's or buildset's state fields, and the values they have until it completes. */
const OPEN: Record<string, unknown> = { complete: false, complete_at: null, results: -1 };

/**
 * A difference that comes from when Buildbot's own reporter or our REST read happened, not from
 * what is sent: Buildbot's reporter handles events one after the other, so when it is still busy
 * with an earlier one it reads a request or buildset that completed meanwhile (ours is always the
 * state at the event), and a start's first step (worker_preparation) further on than pending; and a
 * property the build sets soon after it starts (builddir) may already be there when our start is
 * read, with the value the master's finished post carries too.
 */
function timing(d: Difference, post: 'new' | 'finished', masterFinished: Body | undefined): boolean {
  const state = /^\.(buildrequest|buildset)\.(complete|complete_at|results)$/.exec(d.path);
  if (post === 'finished' && state) return d.ours === OPEN[state[2]] && d.theirs !== OPEN[state[2]];
  if (post === 'new') {
    // Ours is a start as it was when the build started; a late read shows the build further on: its
    // first step (worker_preparation) past pending, later steps, a state past "starting".
    const step = /^\.steps\.(\d+)(\.(state_string|started_at|complete|complete_at|results))?$/.exec(d.path);
    if (step && step[1] !== '0') return d.ours === ABSENT && d.theirs !== ABSENT;
    if (step && step[2]) return d.theirs !== ABSENT && d.ours !== ABSENT;
    if (d.path === '.state_string') return d.ours === 'starting';
  }
  const property = /^\.properties\.([^.]+)$/.exec(d.path);
  if (post !== 'new' || !property || d.theirs !== ABSENT) return false;
  const later = (masterFinished?.properties as Record<string, unknown> | undefined)?.[property[1]];
  return JSON.stringify(later) === JSON.stringify(d.ours);
}

interface Comparison {
  identical: number;
  /** Posts whose only differences are `timing` ones, each listed. */
  timingOnly: string[];
  differing: string[];
}

/** Waits until ours posted as many bodies per build as the master did, then compares them post by post. */
async function compare(buildids: number[]): Promise<Comparison> {
  await bb.waitFor(
    async () => buildids.every((id) => postsOf(theirs, id).length === 2),
    30_000,
    `the master's posts of builds ${buildids.join(', ')}`,
  );
  // A post ours never sends shows below as a missing body, not as a timeout.
  await bb
    .waitFor(async () => buildids.every((id) => postsOf(ours, id).length >= 2), 15_000, 'our posts')
    .catch(() => undefined);
  const result: Comparison = { identical: 0, timingOnly: [], differing: [] };
  for (const id of buildids) {
    const [master, mine] = [postsOf(theirs, id), postsOf(ours, id)];
    for (let i = 0; i < Math.max(master.length, mine.length); i++) {
      const post = i === 0 ? 'new' : 'finished';
      const found = diff(master[i] ?? ABSENT, mine[i] ?? ABSENT);
      const text = `build ${id} post ${i + 1} (${post}):\n  ${found
        .map((d) => `${d.path}: buildbot=${shown(d.theirs)} ours=${shown(d.ours)}`)
        .join('\n  ')}`;
      if (found.length === 0) result.identical += 1;
      else if (found.every((d) => timing(d, post, master[1]))) result.timingOnly.push(text);
      else result.differing.push(text);
    }
  }
  return result;
}

/** Prints the counts (the issue's report) and fails on any difference that is not one of timing. */
function expectSameAsMaster({ identical, timingOnly, differing }: Comparison, what: string, posts: number): void {
  console.info(
    `HttpStatusPush ${what}: posts identical ${identical}, differing only by timing ${timingOnly.length}, differing ${differing.length}` +
      (timingOnly.length ? `\n${timingOnly.join('\n')}` : ''),
  );
  expect(differing, differing.join('\n')).toEqual([]);
  expect(identical + timingOnly.length).toBe(posts);
}

/** The builds of a buildset and of the buildsets it triggered, once all have finished. */
async function buildIdsOf(bsid: number): Promise<number[]> {
  await bb.waitIdle(90_000);
  const { builds } = (await bb.get('/builds')) as { builds: Array<{ buildid: number; buildrequestid: number }> };
  const { buildrequests } = (await bb.get('/buildrequests')) as {
    buildrequests: Array<{ buildrequestid: number; buildsetid: number }>;
  };
  const { buildsets } = (await bb.get('/buildsets')) as {
    buildsets: Array<{ bsid: number; parent_buildid: number | null }>;
  };
  const ids = new Set<number>();
  const bsids = new Set([bsid]);
  for (let grew = true; grew;) {
    grew = false;
    for (const r of buildrequests)
      if (bsids.has(r.buildsetid))
        for (const b of builds) if (b.buildrequestid === r.buildrequestid && !ids.has(b.buildid)) ids.add(b.buildid);
    for (const s of buildsets)
      if (s.parent_buildid !== null && ids.has(s.parent_buildid) && !bsids.has(s.bsid)) {
        bsids.add(s.bsid);
        grew = true;
      }
  }
  return [...ids].sort((x, y) => x - y);
}

describe.each(['default', 'all'] as const)(
  "our HttpStatusPush from the data API = the master's own, %s style",
  (style) => {
    beforeAll(() => startBench(style), 120_000);
    afterAll(stopBench);

    it('pass, fail, warn and a fan-out parent with its child: every post the same body, in the same order', async () => {
      const ids = [
        ...(await buildIdsOf((await bb.force(['pass', 'fail', 'warn'], 'fidelity')).bsid)),
        ...(await buildIdsOf((await bb.force(['fanout'], 'fidelity fan-out')).bsid)),
      ];
      expect(ids.length).toBe(5);
      expectSameAsMaster(await compare(ids), `${style}, live`, ids.length * 2);
      const child = postsOf(ours, ids[4]).at(-1)!;
      expect((child.parentbuild as { buildid: number }).buildid).toBe(ids[3]);
    });

    it('builds that started and finished while bbreporters was stopped get their new and finished posts too', async () => {
      await service!.stop(1000);
      service = undefined;
      const ids = await buildIdsOf((await bb.force(['pass', 'fail'], 'while stopped')).bsid);
      service = await Service.start(loadConfig(configFile), { logDestination: quiet });
      expectSameAsMaster(await compare(ids), `${style}, after a restart`, ids.length * 2);
    });
  },
);
