/**
 * Logs a person can read: pretty lines (local time, level, message) on a terminal or with
 * `--log-format pretty`, JSON lines otherwise; `--log-level` > BBR_LOG_LEVEL > the config's
 * `logLevel` > info; secrets masked in both formats; `preview` silent unless asked.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cliPath, fixturePlugins, httpStatusPushDir, runCli, tempDir } from './support/bbreporters-cli.js';

const SECRET = 'mk-log-secret-7390';
const env = { MARKER_TOKEN: SECRET };
const fixture = join(httpStatusPushDir, 'fail.finished.json');

/** A replay of one event (so `run` ends by itself) to the marker plugin, which logs its token at info. */
function replayConfig(logLevel?: string): string {
  const event = JSON.stringify(JSON.parse(readFileSync(fixture, 'utf8')));
  return tempDir({
    'events.jsonl': `${event}\n`,
    'bbreporters.yaml': [
      ...(logLevel ? [`logLevel: ${logLevel}`] : []),
      'sources:',
      '  - type: replay',
      '    file: events.jsonl',
      'reporters:',
      `  - plugin: ${join(fixturePlugins, 'marker')}`,
      '    options: { marker: here, token: "${MARKER_TOKEN}" }',
      '',
    ].join('\n'),
  });
}

const infoLine = 'marker plugin set up with token ********';

describe('bbreporters run logs', () => {
  it('are JSON lines when standard error is not a terminal, secrets masked', async () => {
    const result = await runCli(['run'], { cwd: replayConfig(), env });
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stderr.trim().split('\n');
    for (const line of lines) expect(() => JSON.parse(line) as unknown, line).not.toThrow();
    expect(result.stderr).toContain(infoLine);
    expect(result.stderr).not.toContain(SECRET);
  });

  it('are pretty with --log-format pretty: local time, level, message, fields; secrets masked; no colour off a terminal', async () => {
    const result = await runCli(['run', '--log-format', 'pretty'], { cwd: replayConfig(), env });
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stderr.trim().split('\n');
    expect(lines.length).toBeGreaterThan(2);
    for (const line of lines) expect(line).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] (INFO|WARN|ERROR|DEBUG): /);
    expect(result.stderr).toMatch(
      new RegExp(`INFO: ${infoLine.replace(/\*/g, '\\*')} \\{"reporter":"marker-plugin","token":"\\*{8}"\\}`),
    );
    expect(result.stderr).not.toContain(SECRET);
    expect(result.stderr).not.toContain('\u001b[');
  });

  it('are pretty and coloured on a terminal, secrets masked', async () => {
    const dir = replayConfig();
    // util-linux's script runs the command on a pseudo-terminal: what a person at a shell sees.
    const output = await new Promise<string>((resolve, reject) =>
      execFile(
        'script',
        ['-qec', `${process.execPath} ${cliPath} run`, '/dev/null'],
        { cwd: dir, env: { PATH: process.env.PATH, ...env } },
        (error, stdout) => (error ? reject(error) : resolve(stdout)),
      ),
    );
    expect(output).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] \u001b\[32mINFO\u001b\[39m: /m);
    expect(output).toContain(infoLine);
    expect(output).not.toContain(SECRET);
    expect(output).not.toContain('{"level"');
  });

  it('take their level from --log-level, else BBR_LOG_LEVEL, else the config, else info', async () => {
    const cases: Array<{ config?: string; envLevel?: string; flag?: string; info: boolean }> = [
      { info: true },
      { config: 'warn', info: false },
      { config: 'warn', envLevel: 'info', info: true },
      { config: 'info', envLevel: 'warn', info: false },
      { config: 'warn', envLevel: 'warn', flag: 'info', info: true },
      { envLevel: 'info', flag: 'error', info: false },
    ];
    for (const c of cases) {
      const result = await runCli(['run', ...(c.flag ? ['--log-level', c.flag] : [])], {
        cwd: replayConfig(c.config),
        env: { ...env, ...(c.envLevel ? { BBR_LOG_LEVEL: c.envLevel } : {}) },
      });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr.includes(infoLine), JSON.stringify(c)).toBe(c.info);
    }
  });

  it('refuse an unknown level or format (exit 2, naming the allowed values)', async () => {
    const dir = replayConfig();
    const flag = await runCli(['run', '--log-level', 'loud'], { cwd: dir, env });
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain('--log-level "loud" is not one of: fatal, error, warn, info, debug, trace, silent');
    const fromEnv = await runCli(['run'], { cwd: dir, env: { ...env, BBR_LOG_LEVEL: 'verbose' } });
    expect(fromEnv.code).toBe(2);
    expect(fromEnv.stderr).toContain('BBR_LOG_LEVEL "verbose" is not one of: fatal, error');
    const format = await runCli(['run', '--log-format', 'xml'], { cwd: dir, env });
    expect(format.code).toBe(2);
    expect(format.stderr).toContain('--log-format "xml" is not one of: json, pretty');
  });
});

describe('bbreporters preview logs', () => {
  const preview = ['preview', '--reporter', 'marker-plugin', '--event', fixture];

  it('are silent by default, even with BBR_LOG_LEVEL and the config asking for debug', async () => {
    const result = await runCli(preview, { cwd: replayConfig('debug'), env: { ...env, BBR_LOG_LEVEL: 'debug' } });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('reporter marker-plugin: buildFinished accepted');
    expect(result.stderr).toBe('');
  });

  it('show info lines with -v, and the --log-level given', async () => {
    const verbose = await runCli([...preview, '-v', '--log-format', 'pretty'], { cwd: replayConfig(), env });
    expect(verbose.code, verbose.stderr).toBe(0);
    expect(verbose.stderr).toMatch(new RegExp(`INFO: ${infoLine.replace(/\*/g, '\\*')}`));
    expect(verbose.stderr).not.toContain('DEBUG');
    expect(verbose.stdout + verbose.stderr).not.toContain(SECRET);
    const debug = await runCli([...preview, '--log-level', 'debug'], { cwd: replayConfig(), env });
    expect(debug.code, debug.stderr).toBe(0);
    expect(debug.stderr).toContain('"level":20');
  });
});
