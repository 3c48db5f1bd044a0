/** `bbreporters preview`: prints exactly what one reporter would send for an event, secrets masked; sends nothing. */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixturePlugins, httpStatusPushDir, repoRoot, runCli, tempDir } from './support/bbreporters-cli.js';

const failFinished = join(httpStatusPushDir, 'fail.finished.json');

function recorderConfig(token: string) {
  const dir = tempDir();
  const recordFile = join(dir, 'records.jsonl');
  const config = join(dir, 'config.yaml');
  writeFileSync(
    config,
    `reporters:\n  - plugin: console\n  - plugin: ${join(fixturePlugins, 'recorder')}\n    name: rec\n    options:\n      file: ${JSON.stringify(recordFile)}\n      token: \${REC_TOKEN}\n      mode: all\n`,
  );
  return { config, recordFile, env: { REC_TOKEN: token } };
}

describe('bbreporters preview', () => {
  it("prints the console reporter's delivery for a raw HttpStatusPush body, and sends nothing", async () => {
    const result = await runCli([
      'preview',
      '--config',
      'examples/quickstart.yaml',
      '--reporter',
      'console',
      '--event',
      failFinished,
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatchInlineSnapshot(`
      "event: buildFinished buildFinished:2 (builder fail, build #1, failure)
      reporter console: buildFinished accepted
      deliveries: 1
      --- delivery 1 of 1 to stdout
      {
        "line": "[buildFinished] fail #1 FAILURE: failed 'false' (failure) http://127.0.0.1:8010/#builders/5/builds/1"
      }
      nothing was sent (preview)
      "
    `);
    // Sent, the console reporter would have printed the bare line; previewed, it is only inside the JSON.
    expect(result.stdout.split('\n')).not.toContain(
      "[buildFinished] fail #1 FAILURE: failed 'false' (failure) http://127.0.0.1:8010/#builders/5/builds/1",
    );
  });

  it("masks the reporter's secrets in what it prints, and only runs the named reporter", async () => {
    const { config, recordFile, env } = recorderConfig('rec-secret-5521');
    const result = await runCli(['preview', '--config', config, '--reporter', 'rec', '--event', failFinished], { env });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('--- delivery 1 of 1 to recorder:buildFinished');
    expect(result.stdout).toContain('"token": "********"');
    expect(result.stdout + result.stderr).not.toContain('rec-secret-5521');
    expect(result.stdout).not.toMatch(/reporter console/);
    // The recorder's send() appends "sent" records: a preview never calls it.
    expect(existsSync(recordFile) ? (await import('node:fs')).readFileSync(recordFile, 'utf8') : '').not.toMatch(
      /"kind":"sent"/,
    );
  });

  it('masks credentials derived from secrets, such as the Basic header of an HTTP request payload', async () => {
    const dir = tempDir();
    const config = join(dir, 'config.yaml');
    writeFileSync(
      config,
      `reporters:\n  - plugin: ${join(fixturePlugins, 'recorder')}\n    name: rec\n    options:\n      file: ${JSON.stringify(join(dir, 'records.jsonl'))}\n      httpAuth: \${REC_AUTH}\n`,
    );
    const auth = 'bot:pw-derived-8812';
    const result = await runCli(['preview', '--config', config, '--reporter', 'rec', '--event', failFinished], {
      env: { REC_AUTH: auth },
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('"authorization": "********"');
    expect(result.stdout + result.stderr).not.toContain(Buffer.from(auth).toString('base64'));
    expect(result.stdout + result.stderr).not.toContain('pw-derived-8812');
  });

  it('accepts an envelope from standard input', async () => {
    const envelope = (await import('node:fs')).readFileSync(
      join(repoRoot, 'core/fixtures/events/worker-missing.json'),
      'utf8',
    );
    const result = await runCli(
      ['preview', '--config', 'examples/quickstart.yaml', '--reporter', 'console', '--event', '-'],
      { input: envelope },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^event: workerMissing workerMissing:2:.* \(worker ghost-worker\)$/m);
    expect(result.stdout).toMatch(/reporter console: workerMissing accepted/);
  });

  it('exits 1 for an invalid event, naming the field', async () => {
    const dir = tempDir({ 'bad.json': JSON.stringify({ event: 'buildFinished', payload: { buildid: 'x' } }) });
    const result = await runCli([
      'preview',
      '--config',
      'examples/quickstart.yaml',
      '--reporter',
      'console',
      '--event',
      join(dir, 'bad.json'),
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/BBR_EVENT_INVALID: invalid event envelope/);
    expect(result.stderr).toMatch(/payload\.buildid: must be integer/);
    const missing = await runCli([
      'preview',
      '--config',
      'examples/quickstart.yaml',
      '--reporter',
      'console',
      '--event',
      join(dir, 'missing.json'),
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--event .*missing\.json: ENOENT/);
  });

  it('exits 2 for a reporter name the config does not have, suggesting the nearest', async () => {
    const result = await runCli([
      'preview',
      '--config',
      'examples/quickstart.yaml',
      '--reporter',
      'consol',
      '--event',
      failFinished,
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/no reporter named "consol" in examples\/quickstart\.yaml; did you mean "console"\?/);
  });
});
