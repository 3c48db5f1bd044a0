import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Cursor, FileCursorStore } from './cursor.js';

let dir: string | undefined;
afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));
const fileIn = () => join((dir = mkdtempSync(join(tmpdir(), 'bbr-cursor-'))), 'state', 'buildbot.json');

describe('the buildbot source cursor', () => {
  it('round-trips through its file: newest ids, open builds and buildsets, reported events', async () => {
    const file = fileIn();
    const cursor = new Cursor('http://127.0.0.1:8010/', new FileCursorStore(file));
    cursor.initialised = true;
    cursor.buildSeen(7, false);
    cursor.buildSeen(5, true);
    cursor.buildsetSeen(3, false);
    cursor.markReported('buildStarted:7');
    await cursor.save();
    const again = new Cursor('http://127.0.0.1:8010/', new FileCursorStore(file));
    expect(await again.load()).toBeUndefined();
    expect(again.initialised).toBe(true);
    expect([again.maxBuildid, again.maxBsid, [...again.running], [...again.openBuildsets]]).toEqual([7, 3, [7], [3]]);
    expect(again.wasReported('buildStarted:7')).toBe(true);
    expect(again.wasReported('buildFinished:7')).toBe(false);
  });

  it("a missing file starts afresh silently; another master's file or a broken one starts afresh with a reason", async () => {
    const file = fileIn();
    expect(await new Cursor('http://a/', new FileCursorStore(file)).load()).toBeUndefined();
    const a = new Cursor('http://a/', new FileCursorStore(file));
    a.initialised = true;
    await a.save();
    const b = new Cursor('http://b/', new FileCursorStore(file));
    expect(await b.load()).toMatch(/belongs to http:\/\/a\/, not http:\/\/b\//);
    expect(b.initialised).toBe(false);
    writeFileSync(file, '{not json');
    expect(await new Cursor('http://a/', new FileCursorStore(file)).load()).toMatch(/cannot read/);
  });

  it('a finished build leaves the open set; unmarking an event lets it be reported again', async () => {
    const cursor = new Cursor('http://a/');
    cursor.buildSeen(1, false);
    cursor.buildSeen(1, true);
    expect([...cursor.running]).toEqual([]);
    cursor.markReported('buildFinished:1');
    cursor.unmarkReported('buildFinished:1');
    expect(cursor.wasReported('buildFinished:1')).toBe(false);
    await cursor.save(); // no store: nothing written, no error
  });

  it('writes the file atomically (no temporary file left behind)', async () => {
    const file = fileIn();
    const cursor = new Cursor('http://a/', new FileCursorStore(file));
    await cursor.save();
    expect(JSON.parse(readFileSync(file, 'utf8')).url).toBe('http://a/');
    expect(() => readFileSync(`${file}.tmp`)).toThrow();
  });

  it('writes saves one after the other, those asked for meanwhile once, with the newest state', async () => {
    const writes: string[] = [];
    let release = () => {};
    const store = {
      where: 'memory',
      read: () => Promise.resolve(undefined),
      write: (text: string) => {
        writes.push(text);
        return writes.length === 1 ? new Promise<void>((resolve) => (release = resolve)) : Promise.resolve();
      },
    };
    const cursor = new Cursor('http://a/', store);
    const first = cursor.save();
    await new Promise((r) => setImmediate(r));
    cursor.buildSeen(1, false);
    const second = cursor.save();
    cursor.buildSeen(2, false);
    const third = cursor.save();
    expect(third).toBe(second);
    release();
    await Promise.all([first, second, third]);
    expect(writes.map((w) => (JSON.parse(w) as { running: number[] }).running)).toEqual([[], [1, 2]]);
  });
});
