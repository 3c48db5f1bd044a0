import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { httpStatusPush, memoryOf, startService } from './lib/child.mjs';
import { buildBodies, postBuilds, startSink } from './lib/loopback.mjs';
const dir = mkdtempSync('/tmp/probe-');
const sink = await startSink();
const service = await startService(httpStatusPush(sink.url, '{ concurrency: 16 }'), { nodeOptions: ['--expose-gc', '--import', fileURLToPath(new URL('memory-probe.mjs', import.meta.url)), ...(process.env.NO ? process.env.NO.split(' ') : [])], env: { V8F: process.env.V8F ?? '', BBR_BENCH_PROBE_DIR: dir, ...(process.env.ARENA ? { MALLOC_ARENA_MAX: process.env.ARENA } : {}) } });
const bodies = buildBodies();
console.log('idle', memoryOf(service.pid).rss / 1e6);
for (let step = 0; step < Number(process.env.STEPS ?? 5); step++) {
  await postBuilds(service.url, { from: step * 2000, count: 2000, concurrency: 16, bodies });
  await sink.waitFor((step + 1) * 2000);
  console.log('after', (step + 1) * 2000, (memoryOf(service.pid).rss / 1e6).toFixed(0));
}
if (process.env.SMAPS) { const { execSync } = await import('node:child_process'); console.log(execSync('python3 /tmp/smaps.py ' + service.pid).toString()); }
process.kill(service.pid, 'SIGUSR2');
while (!existsSync(`${dir}/probe-1.json`)) await new Promise((r) => setTimeout(r, 200));
console.log(readFileSync(`${dir}/probe-1.json`, 'utf8').slice(0, 3000));
await service.stop(); await sink.close();
