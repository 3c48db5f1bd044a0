// `node bench/service-throughput.mjs [--quick] [--node-options='...']` (part of `npm run bench`): the whole
// service against a bare relay. 5,000 distinct finished builds (--quick: 1,000) are POSTed at concurrency 16
//   - to `bbreporters run` (the real CLI: http source → the real @bbreporters/http-status-push → core's queue,
//     ledger and HTTP sender → a loopback sink; delivery concurrency 16, like the relay),
//   - to a bare relay (bench/bare-relay.mjs: node:http → node-fetch → the same sink),
//   - and straight to the sink with node-fetch (the bare client).
// The service delivers asynchronously, so each run is timed until the sink has counted every build; when the
// POSTs were all answered is printed too. --node-options: flags for the service's node, e.g.
// `--node-options='--cpu-prof --cpu-prof-dir=/tmp/prof'` (then `node bench/profile-summary.mjs /tmp/prof`).
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import fetch from 'node-fetch';
import { httpStatusPush, startChild, startService, waitForLine } from './lib/child.mjs';
import { buildBodies, now, pool, startSink, timeThrough } from './lib/loopback.mjs';
import { childNodeOptions, quick, runIfMain, target } from './lib/report.mjs';

const EVENTS = quick ? 1_000 : 5_000;
const WARM_UP = quick ? 100 : 500;
const CONCURRENCY = 16;

const perSecond = (ms) => (EVENTS / ms) * 1000;

/** EVENTS builds through `url` (the relay or the service, process `pid`), timed (see timeThrough). */
const through = (url, sink, bodies, from, pid) =>
  timeThrough(url, sink, { bodies, from, pids: [pid], events: EVENTS, warmUp: WARM_UP, concurrency: CONCURRENCY }).then(
    (via) => ({ ...via, cpuPerEvent: via.cpuPerEvent[0] }),
  );

async function bareClient(sink, bodies) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const post = (i) =>
    fetch(sink.url, {
      method: 'POST',
      body: bodies(i),
      headers: { 'content-type': 'application/json' },
      agent,
    }).then((r) => r.arrayBuffer());
  await pool(WARM_UP, CONCURRENCY, post);
  const started = now();
  await pool(EVENTS, CONCURRENCY, (i) => post(WARM_UP + i));
  const ms = now() - started;
  agent.destroy();
  return ms;
}

export async function measure() {
  console.log(
    `service throughput: ${EVENTS} distinct finished builds POSTed at concurrency ${CONCURRENCY} (after ${WARM_UP} to warm up)`,
  );
  const sink = await startSink();
  const bodies = buildBodies();
  let relay, service;
  try {
    const client = await bareClient(sink, bodies);

    relay = startChild([fileURLToPath(new URL('bare-relay.mjs', import.meta.url)), sink.url]);
    const relayUrl = await waitForLine(relay, (line) => /^relay listening (\S+)/.exec(line)?.[1]);
    const viaRelay = await through(relayUrl, sink, bodies, 100_000, relay.child.pid);
    await relay.stop();
    relay = undefined;

    service = await startService(httpStatusPush(sink.url, `{ concurrency: ${CONCURRENCY} }`), {
      nodeOptions: childNodeOptions,
    });
    const viaService = await through(service.url, sink, bodies, 200_000, service.pid);
    await service.stop();
    service = undefined;

    const row = (label, ms, extra = '') =>
      console.log(
        `  ${label.padEnd(44)} ${perSecond(ms).toFixed(0).padStart(6)} events/s  (${ms.toFixed(0)} ms)${extra}`,
      );
    row('bare node-fetch client → sink', client);
    const cpu = (via) => `; ${(via.cpuPerEvent * 1000).toFixed(0)} µs CPU/event`;
    row(
      'bare relay (node:http → node-fetch → sink)',
      viaRelay.delivered,
      `; POSTs answered after ${viaRelay.answered.toFixed(0)} ms${cpu(viaRelay)}`,
    );
    row(
      'bbreporters run → http-status-push → sink',
      viaService.delivered,
      `; POSTs answered after ${viaService.answered.toFixed(0)} ms (${perSecond(viaService.answered).toFixed(0)}/s)${cpu(viaService)}`,
    );
    if (childNodeOptions.length) console.log(`  service node options: ${childNodeOptions.join(' ')}`);
    const serviceVsRelay = viaRelay.delivered / viaService.delivered;
    const relayVsClient = client / viaRelay.delivered;
    console.log(`  ratio service / relay   ${serviceVsRelay.toFixed(2)}x (events/s, until the sink had all)`);
    console.log(`  ratio relay / client    ${relayVsClient.toFixed(2)}x`);
    console.log(
      `  CPU per event: service ${(viaService.cpuPerEvent / viaRelay.cpuPerEvent).toFixed(2)}x the relay's (the service's own threads included)`,
    );
    return { targets: [target('whole service vs bare relay (events/s)', serviceVsRelay, 0.8, { atMost: false })] };
  } finally {
    await relay?.stop();
    await service?.stop();
    await sink.close();
  }
}

await runIfMain(import.meta, measure);
