// `node bench/latency.mjs [--quick]` (part of `npm run bench`): how long an event takes through the whole
// service under light load. One distinct finished build every 20 ms, 500 in all (--quick: 100), POSTed to
// `bbreporters run` (the real CLI and http-status-push); each is timed from its POST being sent to the sink
// receiving its delivery (and to the POST's answer). Buildbot's side (a build finishing → the delivery) is
// measured by the live Buildbot end-to-end test, not here.
import http from 'node:http';
import { httpStatusPush, startService } from './lib/child.mjs';
import { buildBodies, now, request, startSink } from './lib/loopback.mjs';
import { quantile, quick, runIfMain, sleep } from './lib/report.mjs';

const EVENTS = quick ? 100 : 500;
const EVERY_MS = 20;
const WARM_UP = 50;

export async function measure() {
  const sink = await startSink({ track: true });
  const service = await startService(httpStatusPush(sink.url));
  const agent = new http.Agent({ keepAlive: true });
  try {
    const bodies = buildBodies();
    const sent = new Map();
    const answered = [];
    const post = async (i) => {
      const body = bodies(i);
      const at = now();
      sent.set(1_000_000 + i, at);
      const res = await request(service.url, { method: 'POST', body }, agent);
      if (res.status !== 200) throw new Error(`POST of build ${i} got ${res.status}: ${res.text}`);
      answered.push(now() - at);
    };
    for (let i = 0; i < WARM_UP; i++) await post(i);
    await sink.waitFor(WARM_UP);
    sent.clear();
    answered.length = 0;

    const started = now();
    const posts = [];
    for (let i = 0; i < EVENTS; i++) {
      posts.push(post(WARM_UP + i));
      await sleep(started + (i + 1) * EVERY_MS - now());
    }
    await Promise.all(posts);
    await sink.waitFor(WARM_UP + EVENTS, 60_000);
    const delivered = [...sent].map(([buildid, at]) => sink.arrivals.get(buildid) - at);

    const ms = (values, q) => `${quantile(values, q).toFixed(1)} ms`;
    console.log(`latency: ${EVENTS} distinct finished builds, one every ${EVERY_MS} ms, to bbreporters run:`);
    console.log(
      `  POST sent → delivery at the sink   p50 ${ms(delivered, 0.5)}, p99 ${ms(delivered, 0.99)}, max ${ms(delivered, 1)}`,
    );
    console.log(`  POST sent → POST answered          p50 ${ms(answered, 0.5)}, p99 ${ms(answered, 0.99)}`);
    console.log(`  (Buildbot's side, a build finishing → the delivery, comes from the live Buildbot e2e test)`);
    return { targets: [] };
  } finally {
    agent.destroy();
    await service.stop();
    await sink.close();
  }
}

await runIfMain(import.meta, measure);
