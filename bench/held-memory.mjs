// `node bench/held-memory.mjs [--quick] [--profile]` (part of `npm run bench`): the service's memory
// while a remote is down. The real CLI (`bbreporters run`) gets an http source on loopback and the
// real http-status-push reporter, whose remote is a loopback port that refuses connections; 10,000
// distinct finished builds (--quick: 1,000) are POSTed, and once /metrics shows every delivery held
// for retry, the child's RSS is read from /proc/PID/status. Baselines from the same run: a bare node
// process holding an idle http server, and the service right after start.
// --profile: the child also runs with bench/memory-probe.mjs preloaded; at idle and once everything is
// held, it reports V8's and node's figures before and after a full GC and writes a heap snapshot,
// and the bench prints what each held delivery adds, by kind of object.
// Linux only (/proc). Loopback only. Not part of `npm test`.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = join(root, 'core/dist/cli/main.js');
const fixtures = join(root, 'core/fixtures/httpstatuspush');
const quick = process.argv.includes('--quick');
const profile = process.argv.includes('--profile');
const HELD = quick ? 1_000 : 10_000;
const CONCURRENCY = 16;
const SETTLE_MS = quick ? 2_000 : 5_000;
const TARGET_MB = 150;
const REPORTER = 'push';

const workDir = mkdtempSync(join(tmpdir(), 'bbr-held-'));
const MB = 1024 * 1024;
const mb = (bytes) => `${(bytes / MB).toFixed(0)} MB`;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** VmRSS (now) and VmHWM (peak) of a process, in bytes. */
function memoryOf(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]) * 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

/** A child process whose stderr is read line by line (the last lines kept for error messages). */
function startChild(args, { cwd = root, env = {} } = {}) {
  const child = spawn(process.execPath, args, {
    cwd,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { PATH: process.env.PATH, ...env },
  });
  const lastLines = [];
  const lineListeners = [];
  let partial = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop();
    for (const line of lines) {
      lastLines.push(line);
      if (lastLines.length > 20) lastLines.shift();
      for (const listener of lineListeners) listener(line);
    }
  });
  const exited = new Promise((resolve) => child.on('close', (code, signal) => resolve(code ?? signal)));
  return {
    child,
    exited,
    onLine: (listener) => lineListeners.push(listener),
    tail: () => lastLines.join('\n'),
    stop: () => (child.kill('SIGTERM'), exited),
  };
}

/** Resolves with the first stderr line `match` accepts; rejects when the child exits first or after `timeoutMs`. */
function waitForLine(running, match, timeoutMs = 20_000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no expected line within ${timeoutMs} ms:\n${running.tail()}`)),
      timeoutMs,
    );
    running.onLine((line) => {
      const found = match(line);
      if (found === undefined) return;
      clearTimeout(timer);
      resolve(found);
    });
    void running.exited.then((code) =>
      reject(new Error(`the child exited (${code}) before the expected line:\n${running.tail()}`)),
    );
  });
}

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

/** A loopback port nothing listens on: bound, then closed, so connections to it are refused. */
async function refusingPort() {
  const server = http.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function writeConfig(remotePort) {
  const config = join(workDir, 'bbreporters.yaml');
  writeFileSync(
    config,
    [
      'stateDir: ./state',
      'sources:',
      '  - type: http',
      '    listen: 127.0.0.1:0',
      'reporters:',
      '  - plugin: http-status-push',
      `    name: ${REPORTER}`,
      '    options:',
      `      serverUrl: http://127.0.0.1:${remotePort}/hook`,
      // One failed attempt each, then a wait far longer than the bench: every delivery stays held.
      '    delivery: { retries: 1000, baseDelayMs: 3600000, maxDelayMs: 3600000 }',
      '',
    ].join('\n'),
  );
  return config;
}

/** The body of distinct finished build `i`: a fixture's, with its own buildid and number. */
function buildBodies() {
  const bodies = readdirSync(fixtures)
    .filter((name) => name.endsWith('.finished.json'))
    .map((name) => readFileSync(join(fixtures, name), 'utf8'));
  return (i) => {
    const build = JSON.parse(bodies[i % bodies.length]);
    return JSON.stringify({ ...build, buildid: 1_000_000 + i, number: 1_000_000 + i });
  };
}

function request(url, { method = 'GET', body } = {}, agent) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method,
        agent,
        headers: body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {},
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode, text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function postBuilds(url, count) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const body = buildBodies();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < count) {
        const i = next++;
        const res = await request(url, { method: 'POST', body: body(i) }, agent);
        if (res.status !== 200) throw new Error(`POST of build ${i} got ${res.status}: ${res.text}`);
      }
    }),
  );
  agent.destroy();
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
async function probe(running, n) {
  running.child.kill('SIGUSR2');
  const file = join(workDir, `probe-${n}.json`);
  const deadline = Date.now() + 180_000;
  while (!readdirSync(workDir).includes(`probe-${n}.json`)) {
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

let service;
try {
  console.log(`bbreporters held-memory bench (node ${process.version}, ${process.platform}/${process.arch})\n`);
  const bare = await bareNodeRss();

  const config = writeConfig(await refusingPort());
  const nodeFlags = profile ? ['--expose-gc', '--import', new URL('memory-probe.mjs', import.meta.url).href] : [];
  service = startChild([...nodeFlags, cli, 'run', '--config', config, '--drain-ms', '0'], {
    cwd: workDir,
    env: profile ? { BBR_BENCH_PROBE_DIR: workDir } : {},
  });
  const url = await waitForLine(service, (line) =>
    line.includes('"http source listening"') ? JSON.parse(line).url : undefined,
  );
  const base = new URL('/', url).href;
  await sleep(SETTLE_MS);
  const idle = memoryOf(service.child.pid);
  const idleProbe = profile ? await probe(service, 1) : undefined;

  const started = Date.now();
  await postBuilds(url, HELD);
  const posted = Date.now() - started;
  await waitUntilHeld(base, HELD);
  const allHeld = Date.now() - started;
  await sleep(SETTLE_MS);
  const held = memoryOf(service.child.pid);
  const journal = readdirSync(join(workDir, 'state/unsent')).reduce(
    (bytes, name) => bytes + statSync(join(workDir, 'state/unsent', name)).size,
    0,
  );

  const perHeldKb = (held.rss - idle.rss) / 1024 / HELD;
  console.log(
    `${HELD} builds POSTed at concurrency ${CONCURRENCY} in ${posted} ms; all ${HELD} held for retry (queue depth ${HELD}) after ${allHeld} ms`,
  );
  console.log(`  RSS with ${HELD} held      ${mb(held.rss)} (peak ${mb(held.peak)})`);
  console.log(`  idle service (0 held)     ${mb(idle.rss)}`);
  console.log(`  bare node + http server   ${mb(bare.rss)}`);
  console.log(`  per held delivery         ${perHeldKb.toFixed(1)} KB above idle`);
  console.log(`  ratio held / idle         ${(held.rss / idle.rss).toFixed(2)}x`);
  console.log(`  ratio idle / bare node    ${(idle.rss / bare.rss).toFixed(2)}x`);
  console.log(`  outbox journal on disk    ${mb(journal)}`);
  if (!quick) console.log(`  target ≤ ${TARGET_MB} MB with 10,000 held: ${held.rss <= TARGET_MB * MB ? 'OK' : 'OVER'}`);

  if (profile) {
    console.log(
      '  (--profile: the idle probe ran before the builds, so the held figures above include its GC and snapshot)',
    );
    printProfile(idleProbe, await probe(service, 2));
  }
} finally {
  await service?.stop();
  rmSync(workDir, { recursive: true, force: true });
}
