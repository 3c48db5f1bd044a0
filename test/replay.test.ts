/** The replay source: a JSON Lines file or standard input, in order; bad lines reported by number and skipped. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixturePlugins, httpStatusPushDir, runCli, tempDir } from './support/bbreporters-cli.js';

const body = (name: string) =>
  JSON.stringify(JSON.parse(readFileSync(join(httpStatusPushDir, `${name}.json`), 'utf8')));
const hooks = (file: string) =>
  existsSync(file)
    ? readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { kind: string; hook?: string; id?: string })
        .filter((r) => r.kind === 'hook')
        .map((r) => r.id)
    : [];

const lines = [
  body('pass.new'),
  '{"event": "buildStarted", "payload": ', // 2: malformed
  body('pass.finished'),
  JSON.stringify({ event: 'buildFinished', payload: { buildid: 'x' } }), // 4: invalid
  '', // 5: blank, ignored
  JSON.stringify({
    event: 'workerMissing',
    payload: JSON.parse(readFileSync(join(httpStatusPushDir, '../events/worker-missing.json'), 'utf8')).payload,
  }),
  body('fail.new'),
  body('fail.finished'),
];
const expectedIds = [
  'buildStarted:1',
  'buildFinished:1',
  expect.stringMatching(/^workerMissing:/),
  'buildStarted:2',
  'buildFinished:2',
];

function replayConfig(file: string) {
  const dir = tempDir();
  const recordFile = join(dir, 'records.jsonl');
  const config = join(dir, 'config.yaml');
  writeFileSync(
    config,
    `sources:\n  - type: replay\n    file: ${JSON.stringify(file)}\nreporters:\n  - plugin: ${join(fixturePlugins, 'recorder')}\n    options: { file: ${JSON.stringify(recordFile)}, mode: all }\n`,
  );
  return { config, recordFile, dir };
}

describe('bbreporters run with a replay source', () => {
  it('replays a JSON Lines file in order, reports bad lines by number, skips them, and exits when done', async () => {
    const dir = tempDir({ 'events.jsonl': `${lines.join('\n')}\n` });
    const { config, recordFile } = replayConfig(join(dir, 'events.jsonl'));
    const result = await runCli(['run', '--config', config]);
    expect(result.code, result.stderr).toBe(0);
    expect(hooks(recordFile)).toEqual(expectedIds);
    expect(result.stderr).toMatch(/events\.jsonl:2: malformed JSON: [^"]+; line skipped/);
    expect(result.stderr).toMatch(
      /events\.jsonl:4: invalid event envelope \([^"]*payload\.buildid: must be integer[^"]*\); line skipped/,
    );
    expect(result.stderr).toMatch(/"lines":8,"dispatched":5,"skipped":\[2,4\]/);
  });

  it('reads standard input when file is "-"', async () => {
    const { config, recordFile } = replayConfig('-');
    const result = await runCli(['run', '--config', config], { input: `${lines.join('\n')}\n` });
    expect(result.code, result.stderr).toBe(0);
    expect(hooks(recordFile)).toEqual(expectedIds);
    expect(result.stderr).toMatch(/<stdin>:2: malformed JSON/);
  });

  it('is a config error when the file does not exist', async () => {
    const { config } = replayConfig('missing.jsonl');
    const result = await runCli(['check', '--config', config]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/config\.yaml:3:11 sources\[0\]\.file: .*missing\.jsonl does not exist/);
  });
});
