// `node bench/latency.mjs [--quick]` (part of `npm run bench`): how long an event takes through the whole
// service under light load. One distinct finished build every 20 ms, 500 in all (--quick: 100), POSTed to
// `bbreporters run` (the real CLI and http-status-push); each is timed from its POST being sent to the sink
// receiving its delivery (and to the POST's answer). Then (not with --quick) Buildbot's side: the live
// Buildbot end-to-end test (test/e2e-buildbot.test.ts: a real Buildbot 3.7 master and worker, the buildbot
// source, the real http-status-push) is run and its line "master's builds/N/finished → delivery at the
// remote" read: the issue's latency target. Skipped, saying so, where Debian's buildbot is not installed.
import { spawn, spawnSync } from 'node:child_process';
import { httpStatusPush, root, startService } from './lib/child.mjs';
import { buildBodies, pacedLatency, startSink } from './lib/loopback.mjs';
import { quantile, quick, runIfMain, target } from './lib/report.mjs';

const EVENTS = quick ? 100 : 500;
const EVERY_MS = 20;
const WARM_UP = 50;

export async function measure() {
  const sink = await startSink({ track: true });
  const service = await startService(httpStatusPush(sink.url));
  try {
    const { delivered, answered } = await pacedLatency(service.url, sink, {
      bodies: buildBodies(),
      from: 0,
      events: EVENTS,
      everyMs: EVERY_MS,
      warmUp: WARM_UP,
    });

    const ms = (values, q) => `${quantile(values, q).toFixed(1)} ms`;
    console.log(`latency: ${EVENTS} distinct finished builds, one every ${EVERY_MS} ms, to bbreporters run:`);
    console.log(
      `  POST sent → delivery at the sink   p50 ${ms(delivered, 0.5)}, p99 ${ms(delivered, 0.99)}, max ${ms(delivered, 1)}`,
    );
    console.log(`  POST sent → POST answered          p50 ${ms(answered, 0.5)}, p99 ${ms(answered, 0.99)}`);
    if (quick) {
      console.log(`  (--quick: the live Buildbot part, a build finishing → the delivery, is skipped)`);
      return { targets: [] };
    }
  } finally {
    await service.stop();
    await sink.close();
  }
  return { targets: await fromLiveMaster() };
}

/** Runs the live Buildbot e2e test and reads its latency line; [] (said why) when it cannot run. */
async function fromLiveMaster() {
  if (spawnSync('sh', ['-c', 'command -v buildbot'], { stdio: 'ignore' }).status !== 0) {
    console.log('  live Buildbot part skipped: no buildbot command (Debian: apt-get install buildbot)');
    return [];
  }
  const vitest = spawn('npx', ['vitest', 'run', 'test/e2e-buildbot.test.ts'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  vitest.stdout.on('data', (chunk) => (out += chunk));
  vitest.stderr.on('data', (chunk) => (out += chunk));
  const code = await new Promise((resolve) => vitest.on('close', resolve));
  const found = /master's builds\/N\/finished → delivery at the remote: p50 (\d+) ms, p99 (\d+) ms, n=(\d+)/.exec(out);
  if (code !== 0 || !found) throw new Error(`the live Buildbot e2e test failed (${code}):\n${out.slice(-2000)}`);
  const [p50, p99, n] = found.slice(1).map(Number);
  console.log(
    `  live Buildbot 3.7 (test/e2e-buildbot.test.ts, ${n} finished builds): master's builds/N/finished frame → delivery at the remote p50 ${p50} ms, p99 ${p99} ms`,
  );
  return [
    target('latency Buildbot finished → delivery, p50', p50, 50, { unit: ' ms' }),
    target('latency Buildbot finished → delivery, p99', p99, 200, { unit: ' ms' }),
  ];
}

await runIfMain(import.meta, measure);
