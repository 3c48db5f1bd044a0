import { existsSync, mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { normaliseEvent } from '../events/envelope.js';
import type { Build, BuildFinishedEvent, BuildPayload } from '../events/events.js';
import { Results } from '../events/results.js';
import { fixture } from '../testing/fixtures.js';
import { BuildHistory } from './build-history.js';

const stateDir = () => mkdtempSync(join(tmpdir(), 'bbr-history-'));

/** The pass builder's captured build, renumbered with another result. */
function build(number: number, results: number | null, complete = true): BuildPayload {
  const b = fixture('pass.finished') as unknown as BuildPayload;
  delete b.prev_build;
  return { ...b, buildid: 1000 + number, number, results, complete };
}

describe('previous build (common.md §5)', () => {
  test('is number − 1 on the same builder', async () => {
    const history = await BuildHistory.open(stateDir());
    history.record(build(20, Results.FAILURE));
    expect(history.previousBuild(build(21, Results.SUCCESS))?.number).toBe(20);
  });
  test('skips RETRY builds: 20 whose predecessor 19 is RETRY gets 18', async () => {
    const history = await BuildHistory.open(stateDir());
    history.record(build(18, Results.SUCCESS));
    history.record(build(19, Results.RETRY));
    expect(history.previousBuild(build(20, Results.SUCCESS))?.number).toBe(18);
  });
  test('counts a still-running build and ignores other builders', async () => {
    const history = await BuildHistory.open(stateDir());
    history.record(build(4, null, false));
    history.record({ ...build(5, Results.FAILURE), builderid: 99, builder: { builderid: 99, name: 'other' } });
    expect(history.previousBuild(build(6, Results.SUCCESS))).toMatchObject({ number: 4, results: null });
  });
  test('is undefined for the first build of a builder', async () => {
    const history = await BuildHistory.open(stateDir());
    expect(history.previousBuild(build(0, Results.SUCCESS))).toBeUndefined();
  });
});

describe('build history', () => {
  test('fills a missing prev_build without changing the event it was given', async () => {
    const history = await BuildHistory.open(stateDir());
    history.record(build(3, Results.SUCCESS));
    const event = normaliseEvent(build(4, Results.FAILURE)) as BuildFinishedEvent;
    const enriched = history.observe(event);
    expect(enriched.payload.prev_build).toMatchObject({ number: 3, results: Results.SUCCESS });
    expect(enriched.payload.prev_build).not.toHaveProperty('steps');
    expect(event.payload.prev_build).toBeUndefined();
  });
  test('keeps a prev_build the source sent', async () => {
    const history = await BuildHistory.open(stateDir());
    history.record(build(3, Results.SUCCESS));
    const sent = { ...build(4, Results.FAILURE), prev_build: null };
    expect(history.observe(normaliseEvent(sent) as BuildFinishedEvent).payload.prev_build).toBeNull();
  });
  test('survives a restart: a new instance on the same stateDir knows the builds', async () => {
    const dir = stateDir();
    const first = await BuildHistory.open(dir);
    first.record(build(7, Results.SUCCESS));
    await first.flush();
    const second = await BuildHistory.open(dir);
    expect(second.previousBuild(build(8, Results.FAILURE))?.number).toBe(7);
    expect(JSON.parse(readFileSync(join(dir, 'history', 'builder-1.json'), 'utf8')).builder.name).toBe('pass');
  });
  test('keeps only the newest builds per builder', async () => {
    const dir = stateDir();
    const history = await BuildHistory.open(dir, { size: 3 });
    for (let n = 1; n <= 5; n++) history.record(build(n, Results.SUCCESS));
    await history.flush();
    const reopened = await BuildHistory.open(dir);
    expect(reopened.previousBuild(build(3, Results.SUCCESS))).toBeUndefined();
    expect(reopened.previousBuild(build(6, Results.SUCCESS))?.number).toBe(5);
  });
  test('an unreadable history file is skipped, not fatal', async () => {
    const dir = stateDir();
    mkdirSync(join(dir, 'history'));
    writeFileSync(join(dir, 'history', 'builder-1.json'), '{ not json');
    const history = await BuildHistory.open(dir);
    expect(history.builders()).toEqual([]);
  });
});

describe('read-only master control from the history', () => {
  test('lists builders, the last finished build and what is running', async () => {
    const history = await BuildHistory.open(stateDir());
    history.record(build(1, Results.SUCCESS));
    history.record(build(2, Results.FAILURE));
    history.record(build(3, null, false));
    const master = history.masterControl();
    expect((await master.builders!()).map((b) => b.name)).toEqual(['pass']);
    expect(await master.lastBuild!('pass')).toMatchObject({ number: 2, results: Results.FAILURE });
    expect(await master.builderStatus!('pass')).toMatchObject({
      state: 'building',
      running: [{ number: 3 }],
      pending: 0,
    });
    expect(await master.builderStatus!('nope')).toBeUndefined();
  });
  test('a builder whose last build finished is idle', async () => {
    const history = await BuildHistory.open(stateDir());
    history.record(build(1, null, false));
    history.record(build(1, Results.SUCCESS));
    expect(history.builderStatus('pass')).toMatchObject({ state: 'idle', running: [] });
  });
});

test('a state folder that cannot be read starts an empty history', async () => {
  const dir = stateDir();
  writeFileSync(join(dir, 'history'), 'a file where the folder should be');
  const history = await BuildHistory.open(dir);
  expect(history.builders()).toEqual([]);
});

test('a dry run (persist: false) uses the stored history but writes nothing', async () => {
  const dir = stateDir();
  const stored = await BuildHistory.open(dir);
  stored.record(build(1, Results.SUCCESS));
  await stored.flush();
  const dry = await BuildHistory.open(dir, { persist: false });
  dry.record(build(2, Results.FAILURE));
  await dry.flush();
  expect(dry.previousBuild(build(3, Results.SUCCESS))?.number).toBe(2);
  expect((await BuildHistory.open(dir)).previousBuild(build(3, Results.SUCCESS))?.number).toBe(1);
});

test('a burst of builds is written once, after a short wait, and flush() writes what waits at once', async () => {
  const dir = stateDir();
  const history = await BuildHistory.open(dir);
  for (let n = 1; n <= 100; n++) history.record(build(n, Results.SUCCESS));
  await new Promise((resolve) => setTimeout(resolve, 20));
  expect(existsSync(join(dir, 'history', 'builder-1.json'))).toBe(false);
  await history.flush();
  const file = JSON.parse(readFileSync(join(dir, 'history', 'builder-1.json'), 'utf8')) as { builds: Build[] };
  expect(file.builds.map((b) => b.number)).toEqual(Array.from({ length: 50 }, (_, i) => 51 + i));
});
