// `node bench/profile-summary.mjs FILE_OR_DIR… [--top N]`: where a `node --cpu-prof` profile spent its time.
// Reads .cpuprofile files (a folder: every one in it), and prints the top N (default 25) by self time:
// by function, by file, and by package (a node_modules package, a workspace package of this repo, node's
// own modules, or V8's pseudo-entries such as (garbage collector)). Self time comes from the samples'
// time deltas. Example: node bench/service-throughput.mjs --node-options='--cpu-prof --cpu-prof-dir=/tmp/prof'
// then node bench/profile-summary.mjs /tmp/prof
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const topAt = args.indexOf('--top');
const TOP = topAt === -1 ? 25 : Number(args[topAt + 1]);
const inputs = args.filter((_, i) => topAt === -1 || (i !== topAt && i !== topAt + 1));
if (!inputs.length) {
  console.error('usage: node bench/profile-summary.mjs FILE_OR_DIR… [--top N]');
  process.exit(2);
}

const files = inputs.flatMap((input) =>
  statSync(input).isDirectory()
    ? readdirSync(input)
        .filter((name) => name.endsWith('.cpuprofile'))
        .map((name) => join(input, name))
    : [input],
);

/** A script URL as a path relative to the repository (or as it is: node:…, empty for V8's own entries). */
function pathOf(url) {
  if (!url) return '';
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  return path.startsWith(root) ? relative(root, path) : path;
}

/** The package a path belongs to: `node_modules/NAME` (scoped too), a workspace folder, `node:` internals, or V8. */
function packageOf(path, functionName) {
  if (!path) return functionName.startsWith('(') ? functionName : '(native)';
  if (path.startsWith('node:')) return 'node (internals)';
  const inModules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (inModules) return inModules[1];
  const workspace = /^(core|plugins\/[^/]+|bench)\//.exec(path);
  return workspace ? workspace[1] : path;
}

const byFunction = new Map();
const byFile = new Map();
const byPackage = new Map();
let total = 0;
const add = (map, key, us) => map.set(key, (map.get(key) ?? 0) + us);

for (const file of files) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map();
  profile.samples.forEach((id, i) => add(selfUs, id, profile.timeDeltas[i] ?? 0));
  for (const [id, us] of selfUs) {
    const { functionName, url, lineNumber } = nodes.get(id).callFrame;
    const path = pathOf(url);
    const name = functionName || '(anonymous)';
    total += us;
    add(byFunction, path ? `${name}  ${path}:${lineNumber + 1}` : name, us);
    add(byFile, path || name, us);
    add(byPackage, packageOf(path, name), us);
  }
}

function print(title, map) {
  console.log(`\ntop ${TOP} by self time, ${title}:`);
  for (const [key, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, TOP))
    console.log(`  ${(us / 1000).toFixed(0).padStart(7)} ms ${((us / total) * 100).toFixed(1).padStart(5)}%  ${key}`);
}

console.log(`${files.length} profile(s), ${(total / 1e6).toFixed(1)} s sampled (idle included)`);
print('by function', byFunction);
print('by file', byFile);
print('by package', byPackage);
