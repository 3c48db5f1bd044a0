// Preloaded into the service by `node bench/held-memory.mjs --profile` (node --expose-gc --import),
// never by the product: on SIGUSR2 it writes the process's memory figures before and after a full
// GC, then a heap snapshot, into the folder BBR_BENCH_PROBE_DIR names (probe-N.json last, so a reader
// waiting for it finds the snapshot complete).
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import v8 from 'node:v8';

const dir = process.env.BBR_BENCH_PROBE_DIR;
let taken = 0;

function figures() {
  return {
    memory: process.memoryUsage(),
    spaces: Object.fromEntries(v8.getHeapSpaceStatistics().map((s) => [s.space_name, s.space_used_size])),
  };
}

process.on('SIGUSR2', () => {
  const n = ++taken;
  const beforeGc = figures();
  globalThis.gc();
  const afterGc = figures();
  const snapshot = v8.writeHeapSnapshot(join(dir, `probe-${n}.heapsnapshot`));
  writeFileSync(join(dir, `probe-${n}.tmp`), JSON.stringify({ beforeGc, afterGc, snapshot }));
  renameSync(join(dir, `probe-${n}.tmp`), join(dir, `probe-${n}.json`));
});
