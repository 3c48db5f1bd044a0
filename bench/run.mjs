// `npm run bench`: what core costs, as ratios against baselines measured in the same run.
//   1. dispatch: one event through core to 10 no-op reporters vs a raw tapable call with 10 no-op taps.
//   2. fan-out: 10k HttpStatusPush-style events through core's delivery queue and HTTP sender to a
//      loopback sink vs a bare node-fetch loop (and bare node:http) at the same concurrency.
// Bounded loops, loopback only. Not part of `npm test`.
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fetch from 'node-fetch';
import tapable from 'tapable';
import { Runtime } from '@bbreporters/core';
import { fixture } from '@bbreporters/core/testing';

const here = fileURLToPath(new URL('.', import.meta.url));
const DISPATCH_EVENTS = 20_000;
const FANOUT_EVENTS = 10_000;
const CONCURRENCY = 16;
const REPORTERS = 10;

const stateDir = mkdtempSync(join(tmpdir(), 'bbr-bench-'));
const base = fixture('pass.finished');

/** Distinct builds, so core's dedupe lets every event through. */
function events(count, offset) {
  return Array.from({ length: count }, (_, i) => ({ ...base, buildid: offset + i, number: offset + i }));
}

async function time(fn) {
  const started = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

const fmt = (ms, n) => `${((ms * 1000) / n).toFixed(2)} µs/event (${ms.toFixed(0)} ms for ${n})`;

async function benchDispatch() {
  const runtime = await Runtime.start({
    configDir: here,
    stateDir,
    logLevel: 'silent',
    reporters: Array.from({ length: REPORTERS }, (_, i) => ({ plugin: './plugins/noop', name: `noop${i}` })),
  });
  const hook = new tapable.AsyncParallelHook(['event']);
  for (let i = 0; i < REPORTERS; i++) hook.tap(`noop${i}`, () => {});

  const warm = events(1000, 1);
  for (const e of warm) await runtime.emit(e);
  for (const e of warm) await hook.promise(e);

  const coreEvents = events(DISPATCH_EVENTS, 100_000);
  const core = await time(async () => {
    for (const e of coreEvents) await runtime.emit(e);
  });
  const rawEvents = events(DISPATCH_EVENTS, 100_000);
  const raw = await time(async () => {
    for (const e of rawEvents) await hook.promise(e);
  });
  await runtime.close(1000);
  return { core, raw };
}

async function startSink() {
  let received = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received++;
      res.writeHead(200, { 'content-length': '0' });
      res.end();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/hook`,
    get received() {
      return received;
    },
    close: () => new Promise((resolve) => (server.closeAllConnections(), server.close(resolve))),
  };
}

/** `count` jobs run by `concurrency` workers. */
async function pool(count, concurrency, job) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await job(next++);
    }),
  );
}

async function benchFanout() {
  const sink = await startSink();
  const runtime = await Runtime.start({
    configDir: here,
    stateDir,
    logLevel: 'silent',
    reporters: [
      {
        plugin: './plugins/push',
        name: 'push',
        options: { url: sink.url },
        delivery: { concurrency: CONCURRENCY, retries: 0 },
      },
    ],
  });
  // Warm up both paths on the same sink.
  for (const e of events(500, 1)) await runtime.emit(e);
  await runtime.deliveries.drain(30_000);
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const post = (body) =>
    fetch(sink.url, {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json' },
      agent,
    }).then((r) => r.arrayBuffer());
  await pool(500, CONCURRENCY, (i) => post({ ...base, buildid: i }));

  const coreEvents = events(FANOUT_EVENTS, 200_000);
  const before = sink.received;
  const core = await time(async () => {
    for (const e of coreEvents) await runtime.emit(e);
    const left = await runtime.deliveries.drain(120_000);
    if (left) throw new Error(`${left} deliveries still pending`);
  });
  const sentByCore = sink.received - before;
  // The queue and HTTP sender alone, without dispatch: the same payloads enqueued directly.
  const queueOnly = await time(async () => {
    for (const e of coreEvents)
      runtime.deliveries.enqueue('push', { target: `build:${e.buildid}`, payload: { url: sink.url, body: e } });
    const left = await runtime.deliveries.drain(120_000);
    if (left) throw new Error(`${left} deliveries still pending`);
  });
  const counts = runtime.deliveries.counts().push;
  await runtime.close(1000);

  const bareEvents = events(FANOUT_EVENTS, 200_000);
  const bareFetch = await time(() => pool(FANOUT_EVENTS, CONCURRENCY, (i) => post(bareEvents[i])));

  const rawAgent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const target = new URL(sink.url);
  const rawPost = (body) =>
    new Promise((resolve, reject) => {
      const data = JSON.stringify(body);
      const req = http.request(
        {
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: 'POST',
          agent: rawAgent,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) },
        },
        (res) => {
          res.resume();
          res.on('end', resolve);
        },
      );
      req.on('error', reject);
      req.end(data);
    });
  const bareHttp = await time(() => pool(FANOUT_EVENTS, CONCURRENCY, (i) => rawPost(bareEvents[i])));

  agent.destroy();
  rawAgent.destroy();
  await sink.close();
  return { core, queueOnly, bareFetch, bareHttp, sentByCore, counts };
}

try {
  console.log(`bbreporters bench (node ${process.version}, ${process.platform}/${process.arch})\n`);
  const d = await benchDispatch();
  console.log(`dispatch, ${REPORTERS} no-op reporters:`);
  console.log(`  core emit()         ${fmt(d.core, DISPATCH_EVENTS)}`);
  console.log(`  raw tapable call    ${fmt(d.raw, DISPATCH_EVENTS)}`);
  console.log(`  ratio core / raw    ${(d.core / d.raw).toFixed(1)}x\n`);

  const f = await benchFanout();
  console.log(`fan-out, ${FANOUT_EVENTS} HttpStatusPush-style events to a loopback sink, concurrency ${CONCURRENCY}:`);
  console.log(
    `  core (emit → queue → HTTP sender)  ${fmt(f.core, FANOUT_EVENTS)}  sink got ${f.sentByCore}; outcomes over the whole run: sent ${f.counts?.sent ?? 0}, failed ${f.counts?.failed ?? 0}`,
  );
  console.log(`  core queue only (enqueue → sender) ${fmt(f.queueOnly, FANOUT_EVENTS)}`);
  console.log(`  bare node-fetch loop               ${fmt(f.bareFetch, FANOUT_EVENTS)}`);
  console.log(`  bare node:http loop                ${fmt(f.bareHttp, FANOUT_EVENTS)}`);
  console.log(`  ratio core / node-fetch            ${(f.core / f.bareFetch).toFixed(2)}x`);
  console.log(`  ratio core queue only / node-fetch ${(f.queueOnly / f.bareFetch).toFixed(2)}x`);
  console.log(`  ratio node-fetch / node:http       ${(f.bareFetch / f.bareHttp).toFixed(2)}x`);
  if (f.sentByCore !== FANOUT_EVENTS) throw new Error(`the sink got ${f.sentByCore} of ${FANOUT_EVENTS} deliveries`);
} finally {
  rmSync(stateDir, { recursive: true, force: true });
}
