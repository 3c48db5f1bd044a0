// What every bench part shares: its command line (`--quick`), statistics, and the report it returns,
// printed alone when the part is run directly and gathered by bench/index.mjs otherwise.
import { fileURLToPath } from 'node:url';

export const quick = process.argv.includes('--quick');
/** `--node-options='...'`: flags for the service's node (e.g. --cpu-prof), to compare or profile. */
export const childNodeOptions =
  process.argv
    .find((a) => a.startsWith('--node-options='))
    ?.slice('--node-options='.length)
    .split(' ')
    .filter(Boolean) ?? [];

export const MB = 1024 * 1024;
export const mb = (bytes) => `${(bytes / MB).toFixed(0)} MB`;
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The value at quantile `q` (0…1) of `values`, nearest rank. */
export function quantile(values, q) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}
export const median = (values) => quantile(values, 0.5);

/** A target line: `value` against `limit` (`atMost` true: lower is better), OK or OVER. */
export function target(name, value, limit, { atMost = true, unit = 'x' } = {}) {
  const ok = atMost ? value <= limit : value >= limit;
  return { name, value, limit, atMost, unit, ok };
}

export const formatTarget = (t) =>
  `${t.ok ? 'OK  ' : 'OVER'}  ${t.name}: ${t.value.toFixed(2)}${t.unit} (target ${t.atMost ? '≤' : '≥'} ${t.limit}${t.unit})`;

/**
 * Runs a part when its file is the one node was started with: `measure()` prints its lines as it goes and
 * returns `{ targets }`; the targets are printed at the end and an error exits with 1.
 */
export async function runIfMain(meta, measure) {
  if (process.argv[1] !== fileURLToPath(meta.url)) return;
  try {
    const { targets = [] } = await measure();
    if (targets.length) console.log(`\n${targets.map(formatTarget).join('\n')}`);
  } catch (error) {
    console.error(error);
    process.exitCode = 1;
  }
}
