/**
 * What a config asks for that its sources can never deliver: `check` prints a warning per option
 * (exit 0) and `run` logs the same at warn level, naming the option and the source type that would
 * deliver the event; `run` also says once per reporter that builds lack the logs it needs and
 * which config key would fetch them.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { httpStatusPushDir, runCli, tempDir } from './support/bbreporters-cli.js';

const reporters = [
  'reporters:',
  '  - plugin: mail',
  '    options: { fromaddr: bb@example.test, extraRecipients: [dev@example.test], buildSetSummary: true, watchedWorkers: [w1] }',
  '  - plugin: irc',
  '    options: { host: irc.example.test, nick: bb, channels: ["#ci"], notify_events: [failure, worker] }',
];
const config = (sources: string[]) => ['sources:', ...sources, ...reporters].join('\n');
const http = '  - { type: http, listen: "127.0.0.1:0" }';
const warnings = [
  'reporters[0].options.buildSetSummary: reporter "mail" reports this on buildsetFinished events, but no configured source (http) receives buildsetFinished events from Buildbot; add a source of type buildbot',
  'reporters[0].options.watchedWorkers: reporter "mail" reports this on workerMissing events, but no configured source (http) receives workerMissing events from Buildbot; add a source of type buildbot',
  'reporters[1].options.notify_events: reporter "irc" reports this on workerMissing events, but no configured source (http) receives workerMissing events from Buildbot; add a source of type buildbot',
];

describe('features no configured source can feed', () => {
  it('check: a warning per option with only an http source, exit 0', async () => {
    const dir = tempDir({ 'config.yaml': config([http]) });
    const result = await runCli(['check', '--config', join(dir, 'config.yaml')]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('config.yaml: OK');
    expect(result.stderr.trim().split('\n')).toEqual(warnings.map((w) => `warning: ${w}`));
  });

  it('check: none once a buildbot source is configured too, or when the options are off', async () => {
    const withBuildbot = tempDir({
      'config.yaml': config([http, '  - { type: buildbot, url: "http://127.0.0.1:8010/" }']),
    });
    const off = tempDir({
      'config.yaml': config([http])
        .replace('buildSetSummary: true, watchedWorkers: [w1]', 'buildSetSummary: false, watchedWorkers: null')
        .replace('[failure, worker]', '[failure]'),
    });
    for (const dir of [withBuildbot, off]) {
      const result = await runCli(['check', '--config', join(dir, 'config.yaml')]);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toBe('');
    }
  });

  it('run: the same warnings at warn level, and once per reporter the logs nothing can fetch', async () => {
    const body = JSON.parse(readFileSync(join(httpStatusPushDir, 'fail.finished.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    // What Buildbot 3.7's HttpStatusPush posts by default: no steps.
    delete body.steps;
    const dir = tempDir({ 'builds.jsonl': `${JSON.stringify(body)}\n${JSON.stringify({ ...body, buildid: 2 })}\n` });
    const mailOnly = reporters.slice(0, 3).join('\n').replace('buildSetSummary: true', 'buildSetSummary: false');
    const file = join(dir, 'config.yaml');
    writeFileSync(file, ['sources:', '  - { type: replay, file: builds.jsonl }', mailOnly].join('\n'));
    const result = await runCli(['run', '--config', file]);
    expect(result.code, result.stderr).toBe(0);
    const lines = (result.stdout + result.stderr)
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { level: number; msg: string; unmet?: string[] });
    const warned = lines.filter((l) => l.level === 40).map((l) => l.msg);
    expect(warned).toContain(warnings[1].replace('(http)', '(replay)'));
    const logs = lines.filter((l) => l.level === 40 && l.unmet);
    expect(logs).toHaveLength(1);
    expect(logs[0].unmet).toEqual(['steps', 'logs']);
    expect(logs[0].msg).toContain('set buildbotAPI.url (or buildbotURL)');
  });
});
