// `node bench/dispatch.mjs [--quick]` (part of `npm run bench`): what core's dispatch costs per event per
// reporter above a raw tapable call. 20,000 events (--quick: 5,000) through core's `emit()` to 10 no-op
// reporters, then to 1, and through a raw tapable AsyncParallelHook with 10 and 1 no-op taps, in this process.
// Besides the target figure (above raw with 10 reporters ÷ 10) it splits that cost in two: the marginal
// cost of one more reporter ((10 reporters − 1 reporter) ÷ 9) and the fixed cost per event (validation,
// history, the ledger's writes: what is left at 1 reporter once its marginal cost is taken out).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import tapable from 'tapable';
import { Runtime } from '@bbreporters/core';
import { distinctBuilds, now } from './lib/loopback.mjs';
import { quick, runIfMain, target } from './lib/report.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const EVENTS = quick ? 5_000 : 20_000;
const REPORTERS = 10;

async function time(list, call) {
  const started = now();
  for (const e of list) await call(e);
  return now() - started;
}

/** ms for EVENTS events through core's emit() to `reporters` no-op reporters (after a warm-up). */
async function timeCore(reporters) {
  const stateDir = mkdtempSync(join(tmpdir(), 'bbr-dispatch-'));
  try {
    const runtime = await Runtime.start({
      configDir: here,
      stateDir,
      logLevel: 'silent',
      reporters: Array.from({ length: reporters }, (_, i) => ({ plugin: './plugins/noop', name: `noop${i}` })),
    });
    await time(distinctBuilds(1000, 1), (e) => runtime.emit(e));
    const ms = await time(distinctBuilds(EVENTS, 100_000), (e) => runtime.emit(e));
    await runtime.close(1000);
    return ms;
  } finally {
    rmSync(stateDir, { recursive: true, force: true });
  }
}

/** ms for EVENTS events through a raw tapable hook with `taps` no-op taps (after a warm-up). */
async function timeRaw(taps) {
  const hook = new tapable.AsyncParallelHook(['event']);
  for (let i = 0; i < taps; i++) hook.tap(`noop${i}`, () => {});
  await time(distinctBuilds(1000, 1), (e) => hook.promise(e));
  return time(distinctBuilds(EVENTS, 100_000), (e) => hook.promise(e));
}

export async function measure() {
  const core = await timeCore(REPORTERS);
  const raw = await timeRaw(REPORTERS);
  const core1 = await timeCore(1);
  const raw1 = await timeRaw(1);

  const µs = (ms) => (ms * 1000) / EVENTS;
  const above = µs(core - raw) / REPORTERS;
  const marginal = (µs(core - raw) - µs(core1 - raw1)) / (REPORTERS - 1);
  const fixed = µs(core1 - raw1) - marginal;
  const f = (value) => value.toFixed(2).padStart(7);
  console.log(`dispatch: ${EVENTS} events to ${REPORTERS} and to 1 no-op reporter, in process:`);
  console.log(`  core emit(), ${REPORTERS} reporters  ${f(µs(core))} µs/event  (${core.toFixed(0)} ms)`);
  console.log(`  raw tapable, ${REPORTERS} taps       ${f(µs(raw))} µs/event  (${raw.toFixed(0)} ms)`);
  console.log(`  core emit(), 1 reporter     ${f(µs(core1))} µs/event  (${core1.toFixed(0)} ms)`);
  console.log(`  raw tapable, 1 tap          ${f(µs(raw1))} µs/event  (${raw1.toFixed(0)} ms)`);
  console.log(`  core above raw tapable      ${f(above)} µs/event/reporter (${REPORTERS} reporters; the target)`);
  console.log(
    `    marginal, per reporter    ${f(marginal)} µs/event  ((${REPORTERS} − 1 reporter) ÷ ${REPORTERS - 1})`,
  );
  console.log(`    fixed, per event          ${f(fixed)} µs/event  (1 reporter − its marginal cost)`);
  return {
    targets: [target('dispatch above raw tapable per event per reporter', above, 2, { unit: ' µs' })],
  };
}

await runIfMain(import.meta, measure);
