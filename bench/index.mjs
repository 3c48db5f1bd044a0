// `npm run bench [-- --quick]`: issue 18's figures in one run, each part against baselines measured in the
// same run, then the targets with OK or OVER. Parts (each also runs alone: node bench/PART.mjs [--quick]):
//   service-throughput  the whole service (real CLI, http source, real http-status-push) vs a bare relay and
//                       a bare node-fetch client, events/s until the sink has every delivery
//   startup             `check` and `run` until /healthz with the ten shipped reporters vs `node -e ''`
//   latency             POST sent → delivery at the sink under light load, p50/p99
//   scale-out           1, 2, 3 instances on one Redis vs one embedded instance: events/s, CPU per event,
//                       and the latency the Redis path adds (skipped, saying so, without redis-server)
//   memory-100k         RSS every 10,000 of 100,000 events through the service (growth = the leak check)
//   held-memory         RSS with 10,000 deliveries held while the remote is down
//   dispatch            µs per event per reporter above a raw tapable call (in this process)
//   queue-fanout        core's queue and HTTP sender alone vs node-fetch and node:http (in this process)
// --quick: smaller counts everywhere (a smoke run of a minute or two); --node-options='...' goes to the
// service's node in service-throughput and held-memory. Loopback only, Linux only (/proc). Not part of `npm test`.
import { cpus, loadavg } from 'node:os';
import { formatTarget, quick } from './lib/report.mjs';

const parts = [
  'service-throughput',
  'startup',
  'latency',
  'scale-out',
  'memory-100k',
  'held-memory',
  'dispatch',
  'queue-fanout',
];

const started = Date.now();
console.log(
  `bbreporters bench${quick ? ' --quick' : ''} (node ${process.version}, ${process.platform}/${process.arch}, ${cpus().length} CPUs, load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')})`,
);
const targets = [];
const failed = [];
for (const part of parts) {
  console.log('');
  try {
    const { measure } = await import(`./${part}.mjs`);
    targets.push(...((await measure()).targets ?? []));
  } catch (error) {
    failed.push(part);
    console.log(`  ${part} failed: ${error.stack ?? error}`);
  }
}
console.log(`\ntargets${quick ? ' (--quick: smaller counts, indicative only)' : ''}:`);
for (const t of targets) console.log(`  ${formatTarget(t)}`);
if (failed.length) console.log(`  FAILED parts: ${failed.join(', ')}`);
console.log(`\n${((Date.now() - started) / 1000).toFixed(0)} s in all`);
if (failed.length) process.exitCode = 1;
