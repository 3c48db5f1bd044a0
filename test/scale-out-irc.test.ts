/**
 * The IRC bot with several instances on one Redis: a real ngircd, a real redis-server, two
 * `bbreporters run` child processes with the same @bbreporters/irc reporter. Only the instance
 * holding the reporter's lease connects; an event posted to the other one reaches the channel
 * through the shared queue; when the connected instance is killed, the other connects within the
 * lease and says what it is given.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpStatusPushDir, startService, tempDir, type RunningService } from './support/bbreporters-cli.js';
import { IrcTestClient, Ngircd } from './support/ngircd.js';
import { RedisServer } from './support/redis-server.js';

const finished = JSON.parse(readFileSync(join(httpStatusPushDir, 'fail.finished.json'), 'utf8')) as Record<
  string,
  unknown
>;

let redis: RedisServer;
let ircd: Ngircd;
let alice: IrcTestClient;
const instances: RunningService[] = [];

beforeAll(async () => {
  redis = await RedisServer.start();
  ircd = await Ngircd.start();
  alice = await IrcTestClient.connect(ircd.port, 'alice');
  await alice.join('#ci');
  const dir = tempDir();
  for (const n of [0, 1]) {
    const file = join(dir, `instance-${n}.yaml`);
    writeFileSync(
      file,
      [
        `stateDir: state-${n}`,
        `queue: { type: redis, url: "${redis.url}", instance: node-${n}, leaseMs: 2000 }`,
        'sources:',
        '  - { type: http, listen: "127.0.0.1:0" }',
        'reporters:',
        "  - plugin: '@bbreporters/irc'",
        `    options: { host: 127.0.0.1, port: ${ircd.port}, nick: ci-bot, channels: ['#ci'], notify_events: [failure], lineRate: 0.1, lostDelay: 1 }`,
        '',
      ].join('\n'),
    );
    instances.push(await startService(file, { cwd: dir }));
  }
}, 60_000);

afterAll(async () => {
  for (const service of instances) await service.stop('SIGKILL');
  alice?.close();
  await ircd?.stop();
  await redis?.stop();
});

const joins = (since = 0) =>
  alice.lines.slice(since).filter((l) => l.command === 'JOIN' && /^ci-bot_*!/.test(l.prefix) && l.params[0] === '#ci');

async function post(service: RunningService, buildid: number): Promise<void> {
  const answer = await fetch(service.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...finished, buildid, number: buildid }),
  });
  expect(answer.status).toBe(200);
}

describe('the IRC bot with two instances', () => {
  it('connects from one instance only; an event posted to the other reaches the channel through the queue', async () => {
    await alice.waitFor((l) => l.command === 'JOIN' && l.prefix.startsWith('ci-bot!'), 15_000);
    // Time for a second bot to show up, if one were to.
    await new Promise((r) => setTimeout(r, 3000));
    expect(joins().map((l) => l.prefix.split('!')[0])).toEqual(['ci-bot']);
    const since = alice.lines.length;
    for (const service of instances) await post(service, 700 + instances.indexOf(service));
    for (const id of [700, 701])
      await alice.waitFor(
        (l) => l.command === 'PRIVMSG' && l.prefix.startsWith('ci-bot!') && l.params[1]!.includes(`#${id}`),
        15_000,
        since,
      );
  }, 40_000);

  it('when the connected instance is killed, the other connects within the lease and carries on', async () => {
    const holder = instances.find((s) => s.stderr().includes('lease taken'))!;
    const other = instances.find((s) => s !== holder)!;
    const since = alice.lines.length;
    const killedAt = Date.now();
    holder.child.kill('SIGKILL');
    const joined = await alice.waitFor((l) => l.command === 'JOIN' && /^ci-bot_*!/.test(l.prefix), 15_000, since);
    console.log(
      `scale-out IRC: the other instance joined #ci ${joined.at - killedAt} ms after the connected one was killed (lease 2000 ms)`,
    );
    expect(joined.at - killedAt).toBeLessThan(15_000);
    await post(other, 702);
    await alice
      .waitFor((l) => l.command === 'PRIVMSG' && l.params[1]!.includes('#702'), 15_000, since)
      .catch((error: Error) => {
        throw new Error(`${error.message}\nredis:\n${redis.dump()}\nthe other instance's log:\n${other.stderr()}`);
      });
  }, 40_000);
});
