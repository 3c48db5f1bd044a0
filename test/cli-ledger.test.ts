/**
 * `bbreporters deliveries` and `bbreporters events` on the ledger of a real service: the real CLI as
 * child processes, `bbreporters run` with the real http-status-push reporter, a recording server as
 * the remote. A 401 makes dead letters; the CLI lists and shows them, retries them while the service
 * runs and while it is stopped, redelivers an event, and prints tables on a terminal.
 */
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecordingServer } from '@bbreporters/core/testing';
import type { DeliveryDetail, DeliveryRecord, EventDetail, EventSummary } from '../core/src/ledger/ledger.js';
import {
  cliPath,
  httpStatusPushDir,
  runCli,
  startService,
  tempDir,
  type RunningService,
} from './support/bbreporters-cli.js';

let status = 401;
let server: RecordingServer;
let service: RunningService | undefined;
let config: string;

beforeAll(async () => {
  server = await RecordingServer.start(() => ({ status }));
  const dir = tempDir();
  config = join(dir, 'bbreporters.yaml');
  const reporter = (name: string) =>
    `  - plugin: '@bbreporters/http-status-push'\n    name: ${name}\n    options: { serverUrl: '${server.url}/${name}' }\n`;
  writeFileSync(
    config,
    `stateDir: state\nsources:\n  - { type: http, listen: "127.0.0.1:0" }\nreporters:\n${reporter('push')}${reporter('other')}`,
  );
  service = await startService(config);
});

afterAll(async () => {
  await service?.stop();
  await server.close();
});

/** The CLI's JSON answer (what it prints when standard output is not a terminal). */
async function json<T>(...args: string[]): Promise<T> {
  const result = await runCli([...args, '--config', config]);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as T;
}

async function until<T>(what: string, probe: () => Promise<T> | T, done: (value: T) => boolean): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const value = await probe();
    if (done(value)) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function post(fixture: string): Promise<string> {
  const answer = await fetch(service!.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: readFileSync(join(httpStatusPushDir, fixture), 'utf8'),
  });
  expect(answer.status).toBe(200);
  return ((await answer.json()) as { eventId: string }).eventId;
}

const dead = (reporter: string) =>
  json<DeliveryRecord[]>('deliveries', 'list', '--state', 'dead', '--reporter', reporter);
const received = (reporter: string) => server.matching('POST', `/${reporter}`);

/** The command run on a pseudo-terminal (util-linux's script), as a person at a shell sees it. */
function onTerminal(args: string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(
      'script',
      ['-qec', `${process.execPath} ${cliPath} ${args.join(' ')} --config ${config}`, '/dev/null'],
      { env: { PATH: process.env.PATH } },
      (error, stdout) => (error ? reject(error) : resolve(stdout.replace(/\r\n/g, '\n'))),
    ),
  );
}

let firstEvent: string;

describe('bbreporters deliveries', () => {
  it('lists a delivery the remote refused with 401 as dead, with its error; show gives the attempt and the answer', async () => {
    firstEvent = await post('pass.finished.json');
    const [letter] = await until(
      'the dead letter',
      () => dead('push'),
      (d) => d.length === 1,
    );
    expect(letter).toMatchObject({ reporter: 'push', state: 'dead', attempts: 1, eventId: firstEvent });
    expect(letter.lastError).toContain('401');
    expect(await json('deliveries', 'list', '--state', 'failed', '--reporter', 'push')).toEqual([letter]);
    expect(await json('deliveries', 'list', '--event', firstEvent, '--since', '1h')).toHaveLength(2);
    expect(await json('deliveries', 'list', '--since', '2099-01-01')).toEqual([]);

    const detail = await json<DeliveryDetail>('deliveries', 'show', letter.id);
    expect(detail.attemptList).toMatchObject([{ attempt: 1, ok: false, response: { status: 401 } }]);
    expect(detail.attemptList[0].error).toContain('401');
    expect(JSON.parse(detail.request!)).toMatchObject({ method: 'POST', url: `${server.url}/push` });
  });

  it('retries a dead letter while the service runs: the remote has it within a second or two, and show says sent after 2 attempts', async () => {
    const [letter] = await dead('push');
    status = 200;
    const before = received('push').length;
    const asked = Date.now();
    expect(await json('deliveries', 'retry', letter.id)).toEqual({ asked: [letter.id], refused: [] });
    await until(
      'the retried status',
      () => received('push').length,
      (n) => n > before,
    );
    expect(Date.now() - asked).toBeLessThan(2000);
    const detail = await until(
      'the retry to be recorded',
      () => json<DeliveryDetail>('deliveries', 'show', letter.id),
      (d) => d.state === 'sent',
    );
    expect(detail.attempts).toBe(2);
    expect(detail.attemptList.map((a) => a.ok)).toEqual([false, true]);
  });

  it('refuses to retry a delivery already sent, or an unknown id, naming why (exit 1)', async () => {
    const [sent] = await json<DeliveryRecord[]>('deliveries', 'list', '--state', 'sent', '--reporter', 'push');
    const result = await runCli(['deliveries', 'retry', sent.id, 'no-such-id', '--config', config]);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual({
      asked: [],
      refused: [
        { id: sent.id, reason: expect.stringContaining('it is sent') as string },
        { id: 'no-such-id', reason: 'no such delivery' },
      ],
    });
    const shown = await runCli(['deliveries', 'show', 'no-such-id', '--config', config]);
    expect(shown.code).toBe(1);
    expect(shown.stderr).toContain('BBR_LEDGER_NOT_FOUND: no delivery no-such-id in the ledger');
  });

  it('retry --failed --reporter R retries every dead letter of R, and no other', async () => {
    status = 401;
    await post('fail.finished.json');
    await post('warn.finished.json');
    const letters = await until(
      'two more dead letters',
      () => dead('push'),
      (d) => d.length === 2,
    );
    await until(
      'the other reporter’s dead letters',
      () => dead('other'),
      (d) => d.length === 3,
    );
    status = 200;
    const before = received('push').length;
    const answer = await json<{ asked: string[] }>('deliveries', 'retry', '--failed', '--reporter', 'push');
    expect(answer.asked.sort()).toEqual(letters.map((d) => d.id).sort());
    await until(
      'both retried statuses',
      () => received('push').length,
      (n) => n === before + 2,
    );
    await until(
      'no dead letter for push',
      () => dead('push'),
      (d) => d.length === 0,
    );
    expect(await dead('other')).toHaveLength(3);
  });

  it('prints an aligned table on a terminal', async () => {
    const output = await onTerminal(['deliveries', 'list', '--reporter', 'other']);
    const [header, ...rows] = output.trimEnd().split('\n');
    expect(header).toMatch(/^ID +STATE +REPORTER +ATTEMPTS +UPDATED +TARGET +LAST ERROR$/);
    expect(rows).toHaveLength(3);
    for (const column of ['STATE', 'REPORTER', 'ATTEMPTS', 'UPDATED', 'TARGET', 'LAST ERROR']) {
      const at = header.indexOf(column);
      for (const row of rows) expect(row[at - 1] === ' ' && row[at] !== ' ', `${column} in "${row}"`).toBe(true);
    }
    for (const row of rows) expect(row).toMatch(/ dead +other +1 +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d +build \d+ +.*401/);
  });

  it('refuses a mistyped subcommand or an option of another subcommand with the usage (exit 2)', async () => {
    const typo = await runCli(['deliveries', 'lst', '--config', config]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('unknown subcommand "lst" (did you mean "list"?): one of list, show, retry');
    expect(typo.stderr).toContain('Usage: bbreporters deliveries list');
    const stray = await runCli(['deliveries', 'show', 'x', '--state', 'dead', '--config', config]);
    expect(stray.code).toBe(2);
    expect(stray.stderr).toContain('--state does not apply to "deliveries show"');
    const since = await runCli(['deliveries', 'list', '--since', 'yesterday', '--config', config]);
    expect(since.code).toBe(2);
    expect(since.stderr).toContain('--since "yesterday" is neither an ISO time');
  });
});

describe('bbreporters events', () => {
  it('lists the events with each reporter’s outcome and their deliveries by state', async () => {
    const events = await json<EventSummary[]>('events', 'list');
    expect(events).toHaveLength(3);
    const first = events.find((e) => e.id === firstEvent)!;
    expect(first).toMatchObject({ kind: 'buildFinished', builder: 'pass', build: 1 });
    expect(first.outcomes?.map((o) => [o.reporter, o.status])).toEqual([
      ['push', 'accepted'],
      ['other', 'accepted'],
    ]);
    expect(first.deliveries).toEqual({ sent: 1, dead: 1 });
    expect(await json('events', 'list', '--limit', '1')).toHaveLength(1);

    const table = await onTerminal(['events', 'list']);
    expect(table.split('\n')[0]).toMatch(/^ID +KIND +BUILDER +BUILD +RECEIVED +OUTCOMES +DELIVERIES$/);
    expect(table).toMatch(
      new RegExp(`${firstEvent} +buildFinished +pass +1 +\\S+ \\S+ +push:accepted other:accepted +`),
    );
  });

  it('shows one event: outcomes and deliveries, and with --body the event itself', async () => {
    const detail = await json<EventDetail>('events', 'show', firstEvent);
    expect(detail.deliveryList.map((d) => [d.reporter, d.state])).toEqual([
      ['push', 'sent'],
      ['other', 'dead'],
    ]);
    expect(detail.body).toBeUndefined();
    const withBody = await json<EventDetail>('events', 'show', firstEvent, '--body');
    expect(withBody.body).toMatchObject({ event: 'buildFinished', payload: { buildid: 1 } });
    const unknown = await runCli(['events', 'show', 'nope', '--config', config]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('BBR_LEDGER_NOT_FOUND: no event nope in the ledger');
  });

  it('redelivers an event to one reporter: the remote receives its status again', async () => {
    const before = received('push');
    expect(await json('events', 'redeliver', firstEvent, '--reporter', 'push')).toEqual({
      asked: { eventId: firstEvent, reporter: 'push' },
    });
    const after = await until(
      'the redelivered status',
      () => received('push'),
      (r) => r.length > before.length,
    );
    const first = before.find((r) => JSON.parse(r.body).buildid === 1)!;
    expect(JSON.parse(after[after.length - 1].body)).toEqual(JSON.parse(first.body));
    expect(received('other').length).toBe(3); // the dead letters' first attempts only

    const mistyped = await runCli(['events', 'redeliver', firstEvent, '--reporter', 'pusj', '--config', config]);
    expect(mistyped.code).toBe(1);
    expect(mistyped.stderr).toContain('no reporter "pusj" in the ledger (reporters: other, push)');
  });
});

describe('finding the ledger', () => {
  it("reads only the config's stateDir (a secret the shell lacks does not matter), or takes --state-dir", async () => {
    const stateDir = join(dirname(config), 'state');
    const elsewhere = tempDir({
      'bbreporters.yaml': `stateDir: \${LEDGER_DIR}\nreporters:\n  - plugin: github\n    options: { token: "\${GITHUB_TOKEN}" }\n`,
    });
    const found = await runCli(['events', 'list'], { cwd: elsewhere, env: { LEDGER_DIR: stateDir } });
    expect(found.code, found.stderr).toBe(0);
    expect(JSON.parse(found.stdout)).toHaveLength(3);
    const given = await runCli(['events', 'list', '--state-dir', stateDir], { cwd: tempDir() });
    expect(JSON.parse(given.stdout)).toHaveLength(3);

    const none = await runCli(['deliveries', 'list', '--state-dir', join(stateDir, 'nothing-here')]);
    expect(none.code).toBe(3);
    expect(none.stderr).toContain('BBR_STATE_DIR: no delivery ledger at');
  });
});

describe('a retry asked while the service is stopped', () => {
  it('is sent at the next start', async () => {
    expect(await service!.stop()).toBe(0);
    service = undefined;
    const letters = await dead('other');
    const answer = await json<{ asked: string[] }>('deliveries', 'retry', '--failed', '--reporter', 'other');
    expect(answer.asked.sort()).toEqual(letters.map((d) => d.id).sort());
    await new Promise((r) => setTimeout(r, 1000));
    expect(received('other')).toHaveLength(3);

    service = await startService(config);
    await until(
      'the three statuses',
      () => received('other').length,
      (n) => n === 6,
    );
    await until(
      'no open or dead delivery',
      () => json<DeliveryRecord[]>('deliveries', 'list', '--state', 'open,dead'),
      (d) => !d.length,
    );
  });
});
