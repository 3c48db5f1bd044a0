/**
 * The deployment examples of docs/deployment.md as shipped: examples/systemd/bbreporters.service
 * passes `systemd-analyze verify`; the Dockerfile (no Docker daemon here) is checked by its
 * instructions, and the service is run from the tree its build stage copies into the image
 * (scripts/production-tree.mjs), with examples/production.yaml, the image's command line and its
 * own HEALTHCHECK command.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { httpStatusPushDir, repoRoot, runCli, startService, tempDir } from './support/bbreporters-cli.js';

const systemdAnalyze = '/usr/bin/systemd-analyze';
const unitText = readFileSync(join(repoRoot, 'examples/systemd/bbreporters.service'), 'utf8');
const productionYaml = readFileSync(join(repoRoot, 'examples/production.yaml'), 'utf8');
const production = parse(productionYaml) as { stateDir: string; sources: { listen: string }[] };
/** Where the unit and the image read the config (docs/deployment.md). */
const configPath = '/etc/bbreporters/bbreporters.yaml';

/** A unit file's `Key=value` lines, every value of each key. */
function unitSettings(text: string): Map<string, string[]> {
  const settings = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const match = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (match) settings.set(match[1], [...(settings.get(match[1]) ?? []), match[2]]);
  }
  return settings;
}

/** The value of a `--name value` option in a command line. */
const optionValue = (args: string[], name: string) => args[args.indexOf(name) + 1];

interface Instruction {
  keyword: string;
  args: string;
}

/** The Dockerfile's instructions (continuation lines joined, comments left out), split into stages. */
function dockerStages(text: string): Instruction[][] {
  const stages: Instruction[][] = [];
  const lines = text.replace(/\\\n/g, ' ').split('\n');
  for (const line of lines.filter((l) => l.trim() && !l.trim().startsWith('#'))) {
    const [, keyword, args] = /^\s*(\w+)\s+(.*)$/.exec(line)!;
    const instruction = { keyword: keyword.toUpperCase(), args: args.trim() };
    if (instruction.keyword === 'FROM') stages.push([]);
    (stages.at(-1) ?? []).push(instruction);
  }
  return stages;
}

const stages = dockerStages(readFileSync(join(repoRoot, 'Dockerfile'), 'utf8'));
const runtime = stages.at(-1)!;
const instruction = (keyword: string) => runtime.filter((i) => i.keyword === keyword).map((i) => i.args);
/** An exec-form (JSON array) argument list, e.g. CMD ["run", …]. */
const execForm = (args: string) => JSON.parse(args.slice(args.indexOf('['))) as string[];
const cmd = execForm(instruction('CMD')[0]);
const healthcheck = execForm(instruction('HEALTHCHECK')[0].split('CMD ')[1]);
const listenPort = production.sources[0].listen.split(':').at(-1);

describe('examples/systemd/bbreporters.service', () => {
  const settings = unitSettings(unitText);
  const execStart = settings.get('ExecStart')![0].split(' ');

  const hasSystemdAnalyze = existsSync(systemdAnalyze);
  it.skipIf(!hasSystemdAnalyze)(
    hasSystemdAnalyze
      ? 'passes systemd-analyze verify without a warning'
      : `systemd-analyze verify: skipped, ${systemdAnalyze} is not installed (scripts/test.sh installs Debian's systemd)`,
    () => {
      // verify wants ExecStart's program to exist: node stands in for the installed bbreporters.
      const dir = tempDir({ 'bbreporters.service': unitText.replace(execStart[0], process.execPath) });
      const result = spawnSync(systemdAnalyze, ['verify', join(dir, 'bbreporters.service')], { encoding: 'utf8' });
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
    },
  );

  it('runs the production config from an unprivileged, read-only system with its state folder writable', () => {
    expect(execStart.slice(1, 4)).toEqual(['run', '--config', configPath]);
    expect(settings.get('StateDirectory')).toEqual([production.stateDir.replace('/var/lib/', '')]);
    for (const [key, value] of Object.entries({
      DynamicUser: 'yes',
      ProtectSystem: 'strict',
      ProtectHome: 'yes',
      PrivateTmp: 'yes',
      NoNewPrivileges: 'yes',
      Restart: 'on-failure',
    })) {
      expect(settings.get(key), key).toEqual([value]);
    }
    expect(settings.get('RestrictAddressFamilies')?.[0]).toMatch(/AF_INET AF_INET6/);
    expect(settings.get('EnvironmentFile')).toEqual(['/etc/bbreporters/bbreporters.env']);
  });

  it('gives the drain time to settle before systemd kills, and restarts on exits 1 and 3 (docs/cli.md)', () => {
    const drainMs = Number(optionValue(execStart, '--drain-ms'));
    const stopTimeoutMs = Number.parseInt(settings.get('TimeoutStopSec')![0], 10) * 1000;
    expect(stopTimeoutMs).toBeGreaterThanOrEqual(drainMs + 5000);
    // A plugin's process.exit() exits 1 so that a supervisor restarts the service.
    expect(settings.get('RestartPreventExitStatus')![0].split(' ')).not.toContain('1');
    expect(settings.get('RestartPreventExitStatus')![0].split(' ')).not.toContain('3');
  });
});

describe('Dockerfile', () => {
  it('builds in one stage and runs as a non-root user in another, from what the build stage copies', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(stages[0][0].args).toMatch(/ AS build$/);
    expect(stages[0].find((i) => i.keyword === 'RUN')?.args).toMatch(
      /npm ci .*node scripts\/production-tree\.mjs \/app$/,
    );
    expect(instruction('COPY')).toEqual(['--from=build /app /app']);
    expect(instruction('USER')).toHaveLength(1);
    expect(instruction('USER')[0]).not.toMatch(/^(root|0)(:|$)/);
  });

  it('copies only files that exist, and .dockerignore keeps what the host installed or built out', () => {
    for (const copy of stages.flat().filter((i) => i.keyword === 'COPY' && !i.args.startsWith('--from'))) {
      for (const source of copy.args.split(' ').slice(0, -1)) {
        expect(existsSync(join(repoRoot, source)), source).toBe(true);
      }
    }
    const ignored = readFileSync(join(repoRoot, '.dockerignore'), 'utf8').split('\n');
    expect(ignored).toEqual(expect.arrayContaining(['**/node_modules', '**/dist', '.git']));
  });

  it('reads the documented config, keeps the config’s stateDir in a volume, and exposes the http source', () => {
    expect(instruction('ENTRYPOINT')).toEqual(['["bbreporters"]']);
    expect(cmd.slice(0, 3)).toEqual(['run', '--config', configPath]);
    expect(instruction('VOLUME')).toEqual([production.stateDir]);
    expect(instruction('EXPOSE')).toEqual([listenPort]);
    expect(healthcheck.join(' ')).toContain('BBREPORTERS_HEALTHZ_URL');
    expect(instruction('ENV')).toContain(`BBREPORTERS_HEALTHZ_URL=http://127.0.0.1:${listenPort}/healthz`);
  });

  it('drains within the 10 s docker stop waits before it kills', () => {
    expect(Number(optionValue(cmd, '--drain-ms'))).toBeLessThan(10_000);
  });
});

describe('the image’s runtime tree (scripts/production-tree.mjs)', () => {
  let tree: string;
  let bin: string;
  let etc: string;
  const env = { INGEST_PASSWORD: 'deploy-test-secret' };

  beforeAll(() => {
    const work = tempDir();
    tree = join(work, 'app');
    execFileSync(process.execPath, [join(repoRoot, 'scripts/production-tree.mjs'), tree], { stdio: 'ignore' });
    // As the image links it: /usr/local/bin/bbreporters → /app/core/bin/bbreporters.js.
    bin = join(work, 'bbreporters');
    symlinkSync(join(tree, 'core/bin/bbreporters.js'), bin);
    etc = join(work, 'etc/bbreporters');
    mkdirSync(etc, { recursive: true });
    writeFileSync(
      join(etc, 'bbreporters.yaml'),
      productionYaml
        .replace(production.sources[0].listen, '127.0.0.1:0')
        .replace(`stateDir: ${production.stateDir}`, `stateDir: ${join(work, 'state')}`),
    );
  }, 60_000);

  it('holds no devDependency and no TypeScript source', () => {
    const installed = readdirSync(join(tree, 'node_modules'));
    for (const devOnly of ['typescript', 'vitest', 'eslint', 'prettier', 'selfsigned', 'smtp-server']) {
      expect(installed).not.toContain(devOnly);
    }
    expect(existsSync(join(tree, 'core/src'))).toBe(false);
    expect(existsSync(join(tree, 'core/dist/cli/main.js'))).toBe(true);
  });

  it('checks examples/production.yaml with every plugin found beside core', async () => {
    const result = await runCli(['check', '--config', join(etc, 'bbreporters.yaml')], { bin, env, cwd: etc });
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('console: @bbreporters/console');
    expect(result.code).toBe(0);
  });

  it('runs with the image’s command line, is healthy by its HEALTHCHECK, reports an event, and stops with 0', async () => {
    const service = await startService(join(etc, 'bbreporters.yaml'), { bin, env, cwd: etc, runArgs: cmd.slice(3) });
    const healthzUrl = new URL('/healthz', service.url).href;
    const [program, ...args] = healthcheck;
    expect(program).toBe('node');
    const probe = spawnSync(process.execPath, args, { env: { BBREPORTERS_HEALTHZ_URL: healthzUrl }, timeout: 10_000 });
    expect(probe.status).toBe(0);
    const reply = await fetch(service.url, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`buildbot:${env.INGEST_PASSWORD}`).toString('base64')}` },
      body: readFileSync(join(httpStatusPushDir, 'fail.finished.json'), 'utf8'),
    });
    expect(reply.status).toBe(200);
    expect(await service.stop('SIGTERM')).toBe(0);
    expect(service.stdout()).toContain('[buildFinished] fail #1 FAILURE');
    expect(service.stderr()).not.toContain(env.INGEST_PASSWORD);
    // The probe can fail: once the service stopped, nothing answers.
    const probeAfterStop = spawnSync(process.execPath, args, { env: { BBREPORTERS_HEALTHZ_URL: healthzUrl } });
    expect(probeAfterStop.status).toBe(1);
  }, 60_000);
});
