// `node bench/held-memory.mjs [--quick] [--profile] [--node-options='...']` (part of `npm run bench`): the service's memory
// while a remote is down. The real CLI (`bbreporters run`) gets an http source on loopback and the
// real http-status-push reporter, whose remote is a loopback port that refuses connections; 10,000
// distinct finished builds (--quick: 1,000) are POSTed, and once /metrics shows every delivery held
// for retry, the child's RSS is read from /proc/PID/status every 5 s until it settles (the burst's
// garbage is returned once V8 sees the service idle), with the peak. Baselines from the same run: a bare node
// process holding an idle http server, and the service right after start.
// --profile: the child also runs with bench/memory-probe.mjs preloaded; at idle and once everything is
// held, it reports V8's and node's figures before and after a full GC and writes a heap snapshot,
// and the bench prints what each held delivery adds, by kind of object.
// Linux only (/proc). Loopback only. Not part of `npm test`.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { httpStatusPush, memoryOf, startChild, startService, waitForLine } from './lib/child.mjs';
import { postBuilds, refusingPort, request } from './lib/loopback.mjs';
import { childNodeOptions, MB, mb, quick, runIfMain, sleep, target } from './lib/report.mjs';

const profile = process.argv.includes('--profile');
const HELD = quick ? 1_000 : 10_000;
const CONCURRENCY = 16;
const SETTLE_MS = quick ? 2_000 : 5_000;
/** Once all are held, RSS is sampled this often until it stops falling (V8's memory reducer shrinks the heap once the burst is over). */
const SAMPLE_EVERY_MS = 5_000;
const SAMPLE_FOR_MS = quick ? 20_000 : 60_000;
const TARGET_MB = 150;
const REPORTER = 'push';

/** RSS of a bare node process holding an idle http server: node's own floor. */
async function bareNodeRss() {
  const script =
    "require('node:http').createServer().listen(0, '127.0.0.1', () => console.error('listening'));" +
    'setInterval(() => {}, 1 << 30);';
  const bare = startChild(['-e', script]);
  await waitForLine(bare, (line) => (line === 'listening' ? true : undefined));
  await sleep(SETTLE_MS);
  const memory = memoryOf(bare.child.pid);
  await bare.stop();
  return memory;
}

/** A series' value for this bench's reporter in the Prometheus text `/metrics` serves (absent: 0). */
function metric(text, name) {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{reporter="${REPORTER}"}`));
  return line ? Number(line.split(' ').pop()) : 0;
}

async function waitUntilHeld(base, count) {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const { text } = await request(`${base}metrics`);
    const depth = metric(text, 'bbreporters_delivery_queue_depth');
    const dead = metric(text, 'bbreporters_deliveries_dead_total');
    const sent = metric(text, 'bbreporters_deliveries_sent_total');
    const retried = metric(text, 'bbreporters_delivery_retries_total');
    if (dead || sent)
      throw new Error(`expected every delivery held, but ${dead} failed for good and ${sent} were sent`);
    if (depth === count && retried === count) return;
    if (Date.now() > deadline)
      throw new Error(`after 120 s: ${depth} of ${count} held, ${retried} waiting for a retry`);
    await sleep(200);
  }
}

/** Live heap by kind (objects and closures by constructor or function name, the rest by node type) from a .heapsnapshot. */
function heapByKind(file) {
  const snapshot = JSON.parse(readFileSync(file, 'utf8'));
  const { node_fields: fields, node_types: nodeTypes } = snapshot.snapshot.meta;
  const types = nodeTypes[0];
  const stride = fields.length;
  const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f));
  const kinds = new Map();
  const nodes = snapshot.nodes;
  for (let i = 0; i < nodes.length; i += stride) {
    const type = types[nodes[i + typeAt]];
    const kind = ['object', 'closure'].includes(type) ? `${type} ${snapshot.strings[nodes[i + nameAt]]}` : `(${type})`;
    const entry = kinds.get(kind) ?? { bytes: 0, count: 0 };
    entry.bytes += nodes[i + sizeAt];
    entry.count++;
    kinds.set(kind, entry);
  }
  return kinds;
}

/** Asks the probe preloaded in the service for its figures (and heap snapshot) and waits for them. */
async function probe(running, n, probeDir) {
  running.child.kill('SIGUSR2');
  const file = join(probeDir, `probe-${n}.json`);
  const deadline = Date.now() + 180_000;
  while (!readdirSync(probeDir).includes(`probe-${n}.json`)) {
    if (Date.now() > deadline) throw new Error(`no probe figures within 180 s:\n${running.tail()}`);
    await sleep(500);
  }
  const figures = JSON.parse(readFileSync(file, 'utf8'));
  return { ...figures, kinds: heapByKind(figures.snapshot) };
}

/** The probe's figures at idle and with every delivery held: where the memory is, and what each held delivery adds. */
function printProfile(idle, held) {
  const row = (label, pick) =>
    console.log(
      `  ${label.padEnd(34)} ${mb(pick(idle)).padStart(7)} ${mb(pick(held)).padStart(7)}   ${((pick(held) - pick(idle)) / HELD).toFixed(0).padStart(6)} B/held`,
    );
  console.log(`\nprofile (node --expose-gc, bench/memory-probe.mjs):   idle    held   delta per held`);
  row('rss (before GC)', (p) => p.beforeGc.memory.rss);
  row('V8 heap reserved (before GC)', (p) => p.beforeGc.memory.heapTotal);
  row('V8 heap used (before GC)', (p) => p.beforeGc.memory.heapUsed);
  row('V8 heap used (after a full GC)', (p) => p.afterGc.memory.heapUsed);
  row('V8 heap reserved (after a full GC)', (p) => p.afterGc.memory.heapTotal);
  row('external (Buffers…, before GC)', (p) => p.beforeGc.memory.external);
  row(
    'rss − heap reserved − external',
    (p) => p.beforeGc.memory.rss - p.beforeGc.memory.heapTotal - p.beforeGc.memory.external,
  );
  for (const space of Object.keys(held.beforeGc.spaces))
    row(`  used ${space} (before GC)`, (p) => p.beforeGc.spaces[space] ?? 0);
  console.log(`\nlive heap by kind (heap snapshots after the GC), largest growth first:`);
  const grown = [...held.kinds]
    .map(([kind, { bytes, count }]) => {
      const before = idle.kinds.get(kind) ?? { bytes: 0, count: 0 };
      return { kind, bytes: bytes - before.bytes, count: count - before.count };
    })
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, 25);
  for (const { kind, bytes, count } of grown)
    console.log(
      `  ${(bytes / HELD).toFixed(0).padStart(6)} B/held  ${(count / HELD).toFixed(1).padStart(5)} per held  ${kind}`,
    );
}

export async function measure() {
  const probeDir = profile ? mkdtempSync(join(tmpdir(), 'bbr-held-probe-')) : undefined;
  let service;
  try {
    console.log(`held memory: the service while a remote is down`);
    const bare = await bareNodeRss();

    const nodeFlags = [
      ...childNodeOptions,
      ...(profile ? ['--expose-gc', '--import', new URL('memory-probe.mjs', import.meta.url).href] : []),
    ];
    // One failed attempt each, then a wait far longer than the bench: every delivery stays held.
    const delivery = '{ retries: 1000, baseDelayMs: 3600000, maxDelayMs: 3600000 }';
    service = await startService(httpStatusPush(`http://127.0.0.1:${await refusingPort()}/hook`, delivery, REPORTER), {
      nodeOptions: nodeFlags,
      env: profile ? { BBR_BENCH_PROBE_DIR: probeDir } : {},
      prefix: 'bbr-held-',
    });
    await sleep(SETTLE_MS);
    const idle = memoryOf(service.pid);
    const idleProbe = profile ? await probe(service, 1, probeDir) : undefined;

    const started = Date.now();
    await postBuilds(service.url, { count: HELD, concurrency: CONCURRENCY });
    const posted = Date.now() - started;
    await waitUntilHeld(service.base, HELD);
    const allHeld = Date.now() - started;
    // RSS right after the burst, then every few seconds until it stops falling: the figure held deliveries cost is the settled one.
    const samples = [];
    for (let waited = 0; waited <= SAMPLE_FOR_MS; waited += SAMPLE_EVERY_MS) {
      await sleep(SAMPLE_EVERY_MS);
      samples.push(memoryOf(service.pid));
      const [a, b] = samples.slice(-2);
      if (samples.length >= 3 && b.rss >= a.rss * 0.98 && b.rss <= TARGET_MB * MB) break;
    }
    const held = samples[samples.length - 1];
    const first = samples[0];
    const state = join(service.folder.dir, 'state');
    const ledger = readdirSync(state)
      .filter((name) => name.startsWith('ledger.sqlite'))
      .reduce((bytes, name) => bytes + statSync(join(state, name)).size, 0);

    const perHeldKb = (held.rss - idle.rss) / 1024 / HELD;
    console.log(
      `  ${HELD} builds POSTed at concurrency ${CONCURRENCY} in ${posted} ms; all ${HELD} held for retry (queue depth ${HELD}) after ${allHeld} ms`,
    );
    console.log(
      `  RSS with ${HELD} held      ${mb(held.rss)} settled, ${(samples.length * SAMPLE_EVERY_MS) / 1000} s after the last was held (${mb(first.rss)} after ${SAMPLE_EVERY_MS / 1000} s; peak during the burst ${mb(held.peak)})`,
    );
    console.log(`  RSS samples every ${SAMPLE_EVERY_MS / 1000} s   ${samples.map((x) => mb(x.rss)).join(', ')}`);
    if (childNodeOptions.length) console.log(`  service node options      ${childNodeOptions.join(' ')}`);
    console.log(`  idle service (0 held)     ${mb(idle.rss)}`);
    console.log(`  bare node + http server   ${mb(bare.rss)}`);
    console.log(`  per held delivery         ${perHeldKb.toFixed(1)} KB above idle`);
    console.log(`  ratio held / idle         ${(held.rss / idle.rss).toFixed(2)}x`);
    console.log(`  ratio idle / bare node    ${(idle.rss / bare.rss).toFixed(2)}x`);
    console.log(`  ledger on disk            ${mb(ledger)}`);

    if (profile) {
      console.log(
        '  (--profile: the idle probe ran before the builds, so the held figures above include its GC and snapshot)',
      );
      printProfile(idleProbe, await probe(service, 2, probeDir));
    }
    // The target is for 10,000 held: --quick holds fewer, so it has none.
    return {
      targets: quick
        ? []
        : [
            target(`RSS with ${HELD} held, settled`, held.rss / MB, TARGET_MB, { unit: ' MB' }),
            target(`RSS with ${HELD} held, peak`, held.peak / MB, TARGET_MB, { unit: ' MB' }),
          ],
    };
  } finally {
    await service?.stop();
    if (probeDir) rmSync(probeDir, { recursive: true, force: true });
  }
}

await runIfMain(import.meta, measure);
