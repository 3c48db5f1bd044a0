// Child processes for the benches: the real CLI (`bbreporters run`) and bare node baselines, their stderr
// read line by line, their memory read from /proc (Linux only).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(root, 'core/bin/bbreporters.js');
/** The node flags of the `bbreporters` command (its `#!/usr/bin/env -S node FLAGS` line). */
const binNodeFlags = readFileSync(bin, 'utf8')
  .split('\n', 1)[0]
  .replace(/^#!.*?\bnode\b/, '')
  .split(' ')
  .filter(Boolean);
/** Node's arguments for `bbreporters ARGS` as a user's shell starts it: with the command's own node flags. */
export const cliArgs = (...args) => [...binNodeFlags, bin, ...args];

/** VmRSS (now) and VmHWM (peak) of a process, in bytes. */
export function memoryOf(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]) * 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

/** CPU time (user + system, all threads) a process has used so far, in ms (Linux only; 10 ms resolution). */
export function cpuMsOf(pid) {
  // Fields after the command name (which may hold spaces): state is the 3rd field, utime the 14th, stime the 15th.
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8')
    .replace(/^.*\) /s, '')
    .split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

/** A node child process whose stderr is read line by line (the last lines kept for error messages). */
export function startChild(args, { cwd = root, env = {} } = {}) {
  const child = spawn(process.execPath, args, {
    cwd,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { PATH: process.env.PATH, ...env },
  });
  const lastLines = [];
  const lineListeners = [];
  let partial = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop();
    for (const line of lines) {
      lastLines.push(line);
      if (lastLines.length > 20) lastLines.shift();
      for (const listener of lineListeners) listener(line);
    }
  });
  const exited = new Promise((resolve) => child.on('close', (code, signal) => resolve(code ?? signal)));
  return {
    child,
    exited,
    onLine: (listener) => lineListeners.push(listener),
    tail: () => lastLines.join('\n'),
    stop: () => (child.kill('SIGTERM'), exited),
  };
}

/** Resolves with the first stderr line `match` accepts; rejects when the child exits first or after `timeoutMs`. */
export function waitForLine(running, match, timeoutMs = 20_000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no expected line within ${timeoutMs} ms:\n${running.tail()}`)),
      timeoutMs,
    );
    running.onLine((line) => {
      const found = match(line);
      if (found === undefined) return;
      clearTimeout(timer);
      resolve(found);
    });
    void running.exited.then((code) =>
      reject(new Error(`the child exited (${code}) before the expected line:\n${running.tail()}`)),
    );
  });
}

/** The URL the service's http source listens on, from its "http source listening" log line. */
export const listeningUrl = (running) =>
  waitForLine(running, (line) => (line.includes('"http source listening"') ? JSON.parse(line).url : undefined));

/**
 * A fresh folder with `bbreporters.yaml` (an http source on a free loopback port, the given reporter lines,
 * `stateDir: ./state`, so every run starts with an empty ledger; `settingLines`: more top-level settings,
 * e.g. a `queue:` line). `remove()` deletes it.
 */
export function serviceFolder(reporterLines, prefix = 'bbr-bench-', settingLines = []) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const config = join(dir, 'bbreporters.yaml');
  const yaml = [
    'stateDir: ./state',
    ...settingLines,
    'sources:',
    '  - type: http',
    '    listen: 127.0.0.1:0',
    'reporters:',
  ];
  writeFileSync(config, [...yaml, ...reporterLines, ''].join('\n'));
  return { dir, config, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * `bbreporters run` in a fresh folder (see serviceFolder), started and listening. `nodeOptions`: flags
 * for the service's node (e.g. `--cpu-prof --cpu-prof-dir=DIR`); `env`: extra environment;
 * `settingLines`: more top-level config lines.
 */
export async function startService(reporterLines, { nodeOptions = [], env = {}, prefix, settingLines } = {}) {
  const folder = serviceFolder(reporterLines, prefix, settingLines);
  const running = startChild([...nodeOptions, ...cliArgs('run', '--config', folder.config, '--drain-ms', '0')], {
    cwd: folder.dir,
    env,
  });
  try {
    const url = await listeningUrl(running);
    return {
      ...running,
      folder,
      url,
      base: new URL('/', url).href,
      pid: running.child.pid,
      stop: async () => {
        const code = await running.stop();
        folder.remove();
        return code;
      },
    };
  } catch (error) {
    await running.stop();
    folder.remove();
    throw error;
  }
}

/** The reporter lines for the real http-status-push delivering to `serverUrl`, `delivery` as YAML flow text. */
export const httpStatusPush = (serverUrl, delivery, name = 'push') => [
  '  - plugin: http-status-push',
  `    name: ${name}`,
  '    options:',
  `      serverUrl: ${serverUrl}`,
  ...(delivery ? [`    delivery: ${delivery}`] : []),
];
