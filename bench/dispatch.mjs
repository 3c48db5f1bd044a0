// `node bench/dispatch.mjs [--quick]` (part of `npm run bench`): what core's dispatch costs per event per
// reporter above a raw tapable call. 20,000 events (--quick: 5,000) through core's `emit()` to 10 no-op
// reporters, then through a raw tapable AsyncParallelHook with 10 no-op taps, in this process.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import tapable from 'tapable';
import { Runtime } from '@bbreporters/core';
import { fixture } from '@bbreporters/core/testing';
import { now } from './lib/loopback.mjs';
import { quick, runIfMain } from './lib/report.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const EVENTS = quick ? 5_000 : 20_000;
const REPORTERS = 10;
const base = fixture('pass.finished');

/** Distinct builds, so core's dedupe lets every event through. */
const events = (count, offset) =>
  Array.from({ length: count }, (_, i) => ({ ...base, buildid: offset + i, number: offset + i }));

async function time(list, call) {
  const started = now();
  for (const e of list) await call(e);
  return now() - started;
}

export async function measure() {
  const stateDir = mkdtempSync(join(tmpdir(), 'bbr-dispatch-'));
  try {
    const runtime = await Runtime.start({
      configDir: here,
      stateDir,
      logLevel: 'silent',
      reporters: Array.from({ length: REPORTERS }, (_, i) => ({ plugin: './plugins/noop', name: `noop${i}` })),
    });
    const hook = new tapable.AsyncParallelHook(['event']);
    for (let i = 0; i < REPORTERS; i++) hook.tap(`noop${i}`, () => {});

    const warm = events(1000, 1);
    await time(warm, (e) => runtime.emit(e));
    await time(warm, (e) => hook.promise(e));
    const core = await time(events(EVENTS, 100_000), (e) => runtime.emit(e));
    const raw = await time(events(EVENTS, 100_000), (e) => hook.promise(e));
    await runtime.close(1000);

    const perReporter = (ms) => ((ms * 1000) / EVENTS / REPORTERS).toFixed(2);
    console.log(`dispatch: ${EVENTS} events to ${REPORTERS} no-op reporters, in process:`);
    console.log(`  core emit()             ${perReporter(core)} µs/event/reporter  (${core.toFixed(0)} ms)`);
    console.log(`  raw tapable call        ${perReporter(raw)} µs/event/reporter  (${raw.toFixed(0)} ms)`);
    console.log(
      `  core above raw tapable  ${perReporter(core - raw)} µs/event/reporter; ratio ${(core / raw).toFixed(1)}x`,
    );
    return { targets: [] };
  } finally {
    rmSync(stateDir, { recursive: true, force: true });
  }
}

await runIfMain(import.meta, measure);
