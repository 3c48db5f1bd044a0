// Copies the real Buildbot 3.7 captures core's tests and @bbreporters/core/testing use from a
// capture folder (the Buildbot harness output: httpstatuspush/, websocket/, index.json) into
// core/fixtures, and assembles the two envelopes the
// HttpStatusPush captures cannot give (buildsetFinished, workerMissing) from the captured
// websocket frames. Run again after the harness captures new fixtures:
//   node scripts/import-fixtures.mjs CAPTURE_DIR
// The repository never reads outside itself, so the folder is an argument, not a default.
import { cpSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
if (!process.argv[2]) {
  console.error('usage: node scripts/import-fixtures.mjs CAPTURE_DIR (the Buildbot harness capture folder)');
  process.exit(2);
}
const captures = `${process.argv[2].replace(/\/?$/, '/')}`;
const out = `${root}core/fixtures/`;
mkdirSync(`${out}httpstatuspush`, { recursive: true });
mkdirSync(`${out}events`, { recursive: true });
for (const f of readdirSync(`${captures}httpstatuspush`))
  cpSync(`${captures}httpstatuspush/${f}`, `${out}httpstatuspush/${f}`);

const frames = (file) =>
  readFileSync(`${captures}websocket/${file}`, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
const builders = Object.fromEntries(
  ['pass', 'fail', 'warn'].map((n) => [
    n,
    JSON.parse(readFileSync(`${captures}httpstatuspush/${n}.finished.json`, 'utf8')).builder,
  ]),
);
const buildbotURL = 'http://127.0.0.1:8010/';
const multi = frames('multi-buildset.frames.jsonl');
const complete = JSON.parse(readFileSync(`${captures}websocket/buildset-complete.json`, 'utf8')).m;
const index = JSON.parse(readFileSync(`${captures}index.json`, 'utf8'));
const set = index.buildsets.find((b) => b.bsid === complete.bsid);
const builds = set.builds.map(({ buildid, builder }) => {
  const finished = multi.find((f) => f.k === `builds/${buildid}/finished`).m;
  const steps = multi.filter((f) => /^steps\/\d+\/finished$/.test(f.k) && f.m.buildid === buildid).map((f) => f.m);
  return {
    ...finished,
    builder: builders[builder],
    buildset: complete,
    url: `${buildbotURL}#builders/${finished.builderid}/builds/${finished.number}`,
    steps,
  };
});
const write = (name, value) => writeFileSync(`${out}events/${name}`, `${JSON.stringify(value, null, 2)}\n`);
write('buildset-finished.json', { event: 'buildsetFinished', payload: { buildset: complete, builds } });
write('worker-missing.json', {
  event: 'workerMissing',
  payload: { worker: JSON.parse(readFileSync(`${captures}websocket/worker-missing.json`, 'utf8')).m },
});
writeFileSync(
  `${out}README.md`,
  `# Fixtures (real Buildbot 3.7 captures)

Copied from \`shared/fixtures/buildbot-3.7/\` by \`scripts/import-fixtures.mjs\`; do not edit by hand.

- \`httpstatuspush/*.json\`: HttpStatusPush POST bodies exactly as Buildbot 3.7 sent them.
- \`events/buildset-finished.json\`: the \`buildsets/${complete.bsid}/complete\` websocket frame with its three
  \`builds/*/finished\` frames (pass, fail, warn), each given its builder (from the HttpStatusPush captures),
  url and finished steps, as the buildbot source assembles them.
- \`events/worker-missing.json\`: the \`workers/2/missing\` frame for \`ghost-worker\`.
`,
);
console.log(`fixtures written to ${out}`);
