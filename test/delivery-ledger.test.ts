/**
 * The ledger as a caller sees it, on a real service: the ingest answer names each delivery and where
 * to follow it (`/deliveries/ID`), which tells "accepted" from "delivered" and "dead"; a re-sent event
 * answers with the first copy's outcomes; a dead letter retried (as `bbreporters deliveries retry` asks,
 * through the ledger) is sent by the running service within a second.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteLedger } from '../core/src/ledger/sqlite-ledger.js';
import { recordingLogger } from '../core/src/testing/logger.js';
import { httpStatusPushDir, startService, tempDir } from './support/bbreporters-cli.js';
import { parsePrometheusText } from './support/prometheus-text.js';
import { httpStatusPushEntry, scriptedRemote } from './support/scripted-remote.js';

const BAD_CREDENTIALS = '{"message":"Bad credentials"}';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    value = await read();
  }
  return value;
}

interface Answer {
  duplicate: boolean;
  outcomes: Array<{ reporter: string; status: string; deliveries?: Array<{ id: string; url: string }> }>;
}

describe('the ledger behind the ingest answer', () => {
  it('names every delivery, follows it to sent or dead, and a retried dead letter is sent while the service runs', async () => {
    const flaky = await scriptedRemote((n) => (n === 0 ? 500 : 201), BAD_CREDENTIALS);
    let deniedStatus = 401;
    const denied = await scriptedRemote(() => deniedStatus, BAD_CREDENTIALS);
    cleanups.push(
      () => flaky.server.close(),
      () => denied.server.close(),
    );
    const dir = tempDir();
    const config = join(dir, 'config.yaml');
    writeFileSync(
      config,
      `stateDir: state\nsources:\n  - { type: http, listen: 127.0.0.1:0 }\nreporters:\n${httpStatusPushEntry('flaky', flaky.url)}${httpStatusPushEntry('denied', denied.url)}`,
    );
    const service = await startService(config);
    cleanups.push(() => service.stop());
    const body = readFileSync(join(httpStatusPushDir, 'change-fail.finished.json'), 'utf8');
    const post = async () =>
      (await (
        await fetch(service.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
      ).json()) as Answer;

    const answer = await post();
    expect(answer.duplicate).toBe(false);
    const link = (name: string) => {
      const deliveries = answer.outcomes.find((o) => o.reporter === name)?.deliveries ?? [];
      expect(deliveries).toHaveLength(1);
      expect(deliveries[0].url).toBe(`/deliveries/${deliveries[0].id}`);
      return new URL(deliveries[0].url, service.url);
    };
    const follow = (url: URL) =>
      until(
        async () => (await fetch(url)).json() as Promise<Record<string, unknown>>,
        (d) => ['sent', 'dead'].includes(d.state as string),
      );

    expect(await follow(link('flaky'))).toMatchObject({
      reporter: 'flaky',
      state: 'sent',
      attempts: 2,
      attemptList: [
        { attempt: 1, ok: false, response: { status: 500 }, error: expect.stringContaining('answered 500') },
        { attempt: 2, ok: true, response: { status: 201 } },
      ],
    });
    const dead = await follow(link('denied'));
    expect(dead).toMatchObject({
      state: 'dead',
      attempts: 1,
      lastResponse: { status: 401 },
      lastError: expect.stringContaining('answered 401 Unauthorized: {"message":"Bad credentials"}'),
      request: expect.stringContaining(denied.url),
    });
    expect((await fetch(new URL('/deliveries/no-such-id', service.url))).status).toBe(404);

    // The same event again: nothing runs twice, and the answer says what became of the first copy.
    const again = await post();
    expect(again.duplicate).toBe(true);
    expect(again.outcomes.map((o) => o.deliveries?.[0]?.id)).toEqual(answer.outcomes.map((o) => o.deliveries?.[0]?.id));
    expect(flaky.hits() + denied.hits()).toBe(3);

    const deadLetters = async () =>
      parsePrometheusText(await (await fetch(new URL('/metrics', service.url))).text()).get(
        'bbreporters_dead_letters{reporter="denied"}',
      );
    expect(await deadLetters()).toBe(1);

    // The remote accepts now: a retry asked through the ledger (what the CLI and the console do) is sent at once.
    deniedStatus = 201;
    const ledger = new SqliteLedger(join(dir, 'state'), { logger: recordingLogger(), mustExist: true });
    cleanups.push(() => ledger.close());
    const asked = Date.now();
    expect(ledger.requestRetry([dead.id as string])).toEqual([{ id: dead.id }]);
    const retried = await until(
      async () => (await fetch(link('denied'))).json() as Promise<Record<string, unknown>>,
      (d) => d.state === 'sent',
    );
    expect(retried).toMatchObject({ state: 'sent', attempts: 2 });
    expect(Date.now() - asked).toBeLessThan(2000);
    expect(denied.hits()).toBe(2);
    expect(await deadLetters()).toBe(0);
    expect(ledger.event(dead.eventId as string)).toMatchObject({ deliveries: { sent: 2 } });
  });
});
