// `node bench/startup.mjs [--quick]` (part of `npm run bench`): start-up with the ten shipped reporters
// (one of each package in plugins/*, minimal valid options, remotes on a loopback port that refuses) against
// a bare `node -e ''`: `bbreporters check` until it exits, `bbreporters run` until GET /healthz answers.
// Median of 10 runs each (--quick: 3), interleaved, after one unmeasured round; a fresh stateDir each run.
import { cliArgs, listeningUrl, serviceFolder, startChild } from './lib/child.mjs';
import { now, refusingPort, untilOk } from './lib/loopback.mjs';
import { median, quick, runIfMain, target } from './lib/report.mjs';

const RUNS = quick ? 3 : 10;

/** Every shipped reporter once, with the least options its schema accepts. */
function tenReporters(port) {
  const remote = `http://127.0.0.1:${port}/`;
  return [
    ['bitbucket', '{ oauth_key: key, oauth_secret: secret }'],
    ['bitbucket-server', `{ base_url: "${remote}", user: buildbot, password: secret }`],
    ['console', '{}'],
    ['gerrit', `{ transport: rest, username: buildbot, baseURL: "${remote}", http_password: secret }`],
    ['github', '{ token: secret }'],
    ['gitlab', '{ token: secret }'],
    ['hipchat', '{ auth_token: secret }'],
    ['http-status-push', `{ serverUrl: "${remote}hook" }`],
    ['irc', `{ host: 127.0.0.1, port: ${port}, nick: bench, channels: ["#bench"] }`],
    ['mail', `{ fromaddr: bench@example.org, relayhost: 127.0.0.1, smtpPort: ${port} }`],
  ].flatMap(([plugin, options]) => [`  - plugin: ${plugin}`, `    options: ${options}`]);
}

/** ms from spawning `args` until the process exited with 0. */
async function untilExit(args) {
  const started = now();
  const running = startChild(args);
  const code = await running.exited;
  if (code !== 0) throw new Error(`node ${args.join(' ')} exited with ${code}:\n${running.tail()}`);
  return now() - started;
}

/** ms from spawning `bbreporters run` until its GET /healthz answered 200 (a fresh folder, so an empty ledger). */
async function untilHealthy(reporters) {
  const folder = serviceFolder(reporters, 'bbr-startup-');
  const started = now();
  const running = startChild(cliArgs('run', '--config', folder.config, '--drain-ms', '0'), { cwd: folder.dir });
  try {
    await untilOk(new URL('/healthz', await listeningUrl(running)).href);
    return now() - started;
  } finally {
    await running.stop();
    folder.remove();
  }
}

export async function measure() {
  console.log(`start-up with the ten shipped reporters, median of ${RUNS} runs each:`);
  const reporters = tenReporters(await refusingPort());
  const checked = serviceFolder(reporters, 'bbr-startup-');
  const runs = { node: [], check: [], run: [] };
  try {
    for (let round = 0; round <= RUNS; round++) {
      const node = await untilExit(['-e', '']);
      const check = await untilExit(cliArgs('check', '--config', checked.config));
      const run = await untilHealthy(reporters);
      if (round === 0) continue; // the unmeasured round: file caches warm
      runs.node.push(node);
      runs.check.push(check);
      runs.run.push(run);
    }
  } finally {
    checked.remove();
  }
  const [node, check, run] = [runs.node, runs.check, runs.run].map(median);
  const spread = (values) => `min ${Math.min(...values).toFixed(0)}, max ${Math.max(...values).toFixed(0)}`;
  console.log(`  node -e ''                    ${node.toFixed(0).padStart(5)} ms  (${spread(runs.node)})`);
  console.log(`  bbreporters check             ${check.toFixed(0).padStart(5)} ms  (${spread(runs.check)})`);
  console.log(`  bbreporters run → /healthz    ${run.toFixed(0).padStart(5)} ms  (${spread(runs.run)})`);
  console.log(`  ratio check / node            ${(check / node).toFixed(2)}x`);
  console.log(`  ratio run ready / node        ${(run / node).toFixed(2)}x`);
  return {
    targets: [
      target('check, ten reporters, vs node -e ""', check / node, 2),
      target('run ready (/healthz), ten reporters, vs node -e ""', run / node, 3),
    ],
  };
}

await runIfMain(import.meta, measure);
