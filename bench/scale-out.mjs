// `node bench/scale-out.mjs [--quick]` (part of `npm run bench`): what the Redis mode (`queue: {type: redis}`,
// docs/scale-out.md) costs. One redis-server (AOF on, `appendfsync everysec`), the real CLI and the real
// http-status-push, one loopback sink for every configuration:
//   - throughput: 5,000 distinct finished builds (--quick: 1,000) POSTed at concurrency 16, build i to
//     instance i mod N, for 1, 2 and 3 instances on Redis and, as the baseline, one embedded instance (the
//     default sqlite queue); events/s until the sink has them all, CPU per event summed over the instances
//     and Redis's own. All on one machine: more instances share the same cores, so the figures show the
//     overhead of the shared path, not scaling.
//   - latency: one build every 20 ms, 300 (--quick: 100), to one instance, POST sent → delivery at the
//     sink, embedded vs Redis.
// Each Redis configuration has its own key prefix, so each starts with an empty cluster. Without a
// redis-server command the part says so and measures nothing.
import { httpStatusPush, startService } from './lib/child.mjs';
import { buildBodies, pacedLatency, startSink, timeThrough } from './lib/loopback.mjs';
import { redisServerVersion, startRedis } from './lib/redis-server.mjs';
import { quantile, quick, runIfMain } from './lib/report.mjs';

const EVENTS = quick ? 1_000 : 5_000;
const WARM_UP = quick ? 100 : 500;
const CONCURRENCY = 16;
const LATENCY_EVENTS = quick ? 100 : 300;
const LATENCY_WARM_UP = quick ? 20 : 50;
const EVERY_MS = 20;
const INSTANCES = [1, 2, 3];

/** The `queue:` line of instance `n` of `cluster` (its own key prefix) on `redis`. */
const redisQueue = (redis, cluster, n) => [
  `queue: { type: redis, url: "${redis.url}", prefix: ${cluster}, instance: node-${n} }`,
];

/** `count` instances of `bbreporters run` with `reporterLines`, instance n's extra settings from `settingsOf(n)`. */
async function startInstances(count, reporterLines, settingsOf) {
  const instances = [];
  try {
    for (let n = 0; n < count; n++)
      instances.push(await startService(reporterLines, { settingLines: settingsOf(n), prefix: 'bbr-scale-out-' }));
    return instances;
  } catch (error) {
    await stopAll(instances);
    throw error;
  }
}

const stopAll = (instances) => Promise.all(instances.map((instance) => instance.stop()));

export async function measure() {
  const version = redisServerVersion();
  if (!version) {
    console.log('scale-out: skipped: no redis-server command (Debian: apt-get install redis-server)');
    return { targets: [] };
  }
  console.log(
    `scale-out: redis-server ${version} (appendonly, appendfsync everysec), one machine: the instances share its cores`,
  );
  const redis = await startRedis();
  try {
    await throughput(redis);
    await latency(redis);
  } finally {
    await redis.stop();
  }
  return { targets: [] };
}

/** Throughput of one embedded instance, then of 1, 2 and 3 instances on Redis, against one sink. */
async function throughput(redis) {
  console.log(
    `  throughput: ${EVENTS} distinct finished builds POSTed at concurrency ${CONCURRENCY} (after ${WARM_UP} to warm up), build i to instance i mod N`,
  );
  const sink = await startSink();
  const bodies = buildBodies();
  const reporter = httpStatusPush(sink.url, `{ concurrency: ${CONCURRENCY} }`);
  const runs = [];
  try {
    const configurations = [
      { label: 'embedded (sqlite queue), 1 instance', count: 1, settingsOf: () => [] },
      ...INSTANCES.map((count) => ({
        label: `redis, ${count} instance${count > 1 ? 's' : ''}`,
        count,
        settingsOf: (n) => redisQueue(redis, `throughput-${count}`, n),
        redis: true,
      })),
    ];
    for (const [k, configuration] of configurations.entries()) {
      const instances = await startInstances(configuration.count, reporter, configuration.settingsOf);
      try {
        const via = await timeThrough(
          instances.map((instance) => instance.url),
          sink,
          {
            bodies,
            from: (k + 1) * 100_000,
            pids: [...instances.map((instance) => instance.pid), redis.pid],
            events: EVENTS,
            warmUp: WARM_UP,
            concurrency: CONCURRENCY,
          },
        );
        const redisCpu = via.cpuPerEvent.pop();
        runs.push({ ...configuration, ...via, cpu: via.cpuPerEvent.reduce((a, b) => a + b, 0), redisCpu });
      } finally {
        await stopAll(instances);
      }
    }
  } finally {
    await sink.close();
  }

  const [embedded] = runs;
  const perSecond = (ms) => (EVENTS / ms) * 1000;
  const µs = (ms) => `${(ms * 1000).toFixed(0)} µs`;
  for (const run of runs) {
    const vsEmbedded =
      run === embedded
        ? ''
        : `; ${(embedded.delivered / run.delivered).toFixed(2)}x the embedded events/s, ${(run.cpu / embedded.cpu).toFixed(2)}x its CPU (${((run.cpu + run.redisCpu) / embedded.cpu).toFixed(2)}x with redis-server's)`;
    console.log(
      `    ${run.label.padEnd(36)} ${perSecond(run.delivered).toFixed(0).padStart(6)} events/s (${run.delivered.toFixed(0)} ms; POSTs answered after ${run.answered.toFixed(0)} ms)` +
        `; CPU/event ${µs(run.cpu)} in the instances${run.redis ? ` + ${µs(run.redisCpu)} redis-server` : ''}${vsEmbedded}`,
    );
  }
}

/** POST sent → delivery at the sink, one build every EVERY_MS to one instance: embedded, then on Redis. */
async function latency(redis) {
  console.log(
    `  latency: ${LATENCY_EVENTS} distinct finished builds, one every ${EVERY_MS} ms (after ${LATENCY_WARM_UP}), to one instance:`,
  );
  const sink = await startSink({ track: true });
  const bodies = buildBodies();
  const reporter = httpStatusPush(sink.url);
  const paths = [
    { label: 'embedded (sqlite queue)', settingLines: [] },
    { label: 'redis', settingLines: redisQueue(redis, 'latency', 0) },
  ];
  try {
    for (const [k, path] of paths.entries()) {
      const [instance] = await startInstances(1, reporter, () => path.settingLines);
      try {
        Object.assign(
          path,
          await pacedLatency(instance.url, sink, {
            bodies,
            from: (k + 1) * 100_000,
            events: LATENCY_EVENTS,
            everyMs: EVERY_MS,
            warmUp: LATENCY_WARM_UP,
          }),
        );
      } finally {
        await instance.stop();
      }
    }
  } finally {
    await sink.close();
  }

  const ms = (value) => `${value.toFixed(1)} ms`;
  const p = (values) => `p50 ${ms(quantile(values, 0.5))}, p99 ${ms(quantile(values, 0.99))}`;
  for (const path of paths)
    console.log(
      `    ${path.label.padEnd(24)} POST sent → delivery at the sink ${p(path.delivered)}; → POST answered ${p(path.answered)}`,
    );
  const [embedded, onRedis] = paths;
  const added = (values, q) => ms(quantile(onRedis[values], q) - quantile(embedded[values], q));
  console.log(
    `    the Redis path adds       to the delivery: p50 ${added('delivered', 0.5)}, p99 ${added('delivered', 0.99)}; to the answer: p50 ${added('answered', 0.5)}, p99 ${added('answered', 0.99)}`,
  );
}

await runIfMain(import.meta, measure);
