// `node bench/queue-fanout.mjs [--quick]` (part of `npm run bench`): core's delivery queue and HTTP sender in
// this process, without the CLI, its source or a real reporter. 10,000 HttpStatusPush-style events (--quick:
// 2,000) through `emit()` → bench/plugins/push → the queue → a loopback sink at concurrency 16, the same
// payloads enqueued directly, then a bare node-fetch loop and a bare node:http loop to the same sink.
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fetch from 'node-fetch';
import { Runtime } from '@bbreporters/core';
import { distinctBuilds, now, pool, request, startSink } from './lib/loopback.mjs';
import { quick, runIfMain } from './lib/report.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const EVENTS = quick ? 2_000 : 10_000;
const CONCURRENCY = 16;

async function time(fn) {
  const started = now();
  await fn();
  return now() - started;
}

async function drained(runtime) {
  const left = await runtime.deliveries.drain(120_000);
  if (left) throw new Error(`${left} deliveries still pending`);
}

export async function measure() {
  const stateDir = mkdtempSync(join(tmpdir(), 'bbr-fanout-'));
  const sink = await startSink();
  const fetchAgent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const rawAgent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  try {
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
    const post = (body) =>
      fetch(sink.url, {
        method: 'POST',
        body: JSON.stringify(body),
        headers: { 'content-type': 'application/json' },
        agent: fetchAgent,
      }).then((r) => r.arrayBuffer());
    const rawPost = (body) => request(sink.url, { method: 'POST', body: JSON.stringify(body) }, rawAgent);
    // Warm up both paths on the same sink.
    const warmUp = distinctBuilds(500, 1);
    for (const e of warmUp) await runtime.emit(e);
    await drained(runtime);
    await pool(500, CONCURRENCY, (i) => post(warmUp[i]));

    const list = distinctBuilds(EVENTS, 200_000);
    const before = sink.received;
    const core = await time(async () => {
      for (const e of list) await runtime.emit(e);
      await drained(runtime);
    });
    const sentByCore = sink.received - before;
    const queueOnly = await time(async () => {
      for (const e of list)
        runtime.deliveries.enqueue('push', { target: `build:${e.buildid}`, payload: { url: sink.url, body: e } });
      await drained(runtime);
    });
    await runtime.close(1000);
    const bareFetch = await time(() => pool(EVENTS, CONCURRENCY, (i) => post(list[i])));
    const bareHttp = await time(() => pool(EVENTS, CONCURRENCY, (i) => rawPost(list[i])));

    const fmt = (ms) => `${((ms * 1000) / EVENTS).toFixed(2)} µs/event (${ms.toFixed(0)} ms)`;
    console.log(`queue fan-out: ${EVENTS} events to a loopback sink at concurrency ${CONCURRENCY}, in process:`);
    console.log(`  core (emit → queue → HTTP sender)   ${fmt(core)}; the sink got ${sentByCore}`);
    console.log(`  core queue only (enqueue → sender)  ${fmt(queueOnly)}`);
    console.log(`  bare node-fetch loop                ${fmt(bareFetch)}`);
    console.log(`  bare node:http loop                 ${fmt(bareHttp)}`);
    console.log(`  ratio core / node-fetch             ${(core / bareFetch).toFixed(2)}x`);
    console.log(`  ratio core queue only / node-fetch  ${(queueOnly / bareFetch).toFixed(2)}x`);
    console.log(`  ratio node-fetch / node:http        ${(bareFetch / bareHttp).toFixed(2)}x`);
    if (sentByCore !== EVENTS) throw new Error(`the sink got ${sentByCore} of ${EVENTS} deliveries`);
    return { targets: [] };
  } finally {
    fetchAgent.destroy();
    rawAgent.destroy();
    await sink.close();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

await runIfMain(import.meta, measure);
