// `node bench/memory-100k.mjs [--quick]` (part of `npm run bench`): whether the service's memory stays flat.
// 100,000 distinct finished builds (--quick: 10,000) are POSTed at concurrency 16 to `bbreporters run` (the
// real CLI and http-status-push, delivering to a loopback sink), in ten steps; after each step, once the sink
// has every delivery, the service's RSS is read from /proc. Growth after the first step is the leak check:
// flat means the last sample is within 10% of the first (the ledger's file grows; its page cache is bounded).
// --node-options='...': flags for the service's node (e.g. V8's heap sizing, docs/performance.md#memory).
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { httpStatusPush, memoryOf, startService } from './lib/child.mjs';
import { buildBodies, now, postBuilds, startSink } from './lib/loopback.mjs';
import { childNodeOptions, MB, mb, quick, runIfMain, target } from './lib/report.mjs';

const STEP = quick ? 1_000 : 10_000;
const STEPS = 10;
const CONCURRENCY = 16;
const FLAT = 0.1;

export async function measure() {
  const sink = await startSink();
  const service = await startService(httpStatusPush(sink.url, `{ concurrency: ${CONCURRENCY} }`), {
    nodeOptions: childNodeOptions,
  });
  try {
    const bodies = buildBodies();
    const idle = memoryOf(service.pid);
    const samples = [];
    const started = now();
    for (let step = 0; step < STEPS; step++) {
      await postBuilds(service.url, { from: step * STEP, count: STEP, concurrency: CONCURRENCY, bodies });
      await sink.waitFor((step + 1) * STEP);
      samples.push(memoryOf(service.pid));
    }
    const seconds = (now() - started) / 1000;
    const state = join(service.folder.dir, 'state');
    const ledger = readdirSync(state)
      .filter((name) => name.startsWith('ledger.sqlite'))
      .reduce((bytes, name) => bytes + statSync(join(state, name)).size, 0);

    const first = samples[0].rss;
    const last = samples[samples.length - 1].rss;
    const growth = (last - first) / first;
    console.log(
      `memory: ${STEPS * STEP} distinct finished builds through bbreporters run at concurrency ${CONCURRENCY} in ${seconds.toFixed(0)} s (${((STEPS * STEP) / seconds).toFixed(0)} events/s):`,
    );
    console.log(`  RSS idle ${mb(idle.rss)}; after every ${STEP}: ${samples.map((s) => mb(s.rss)).join(', ')}`);
    console.log(
      `  growth after the first ${STEP}: ${mb(last - first)} (${(growth * 100).toFixed(1)}%); peak ${mb(samples[samples.length - 1].peak)}; ledger on disk ${mb(ledger)}`,
    );
    return {
      targets: [
        target(`RSS after ${STEPS * STEP} events`, last / MB, 150, { unit: ' MB' }),
        target(`RSS growth from ${STEP} to ${STEPS * STEP} events`, growth * 100, FLAT * 100, { unit: '%' }),
      ],
    };
  } finally {
    await service.stop();
    await sink.close();
  }
}

await runIfMain(import.meta, measure);
