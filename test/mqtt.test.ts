/**
 * @bbreporters/mqtt against a real Mosquitto broker started by the test (test/support/mosquitto.ts),
 * through core's delivery queue: a subscriber sees every message in order, a broker restart at QoS 1
 * loses nothing, a password broker takes our credentials and refuses wrong ones, and hostile
 * builder names stay one topic level.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkConfig } from '@bbreporters/core';
import { createHarness, fixture, type Harness } from '@bbreporters/core/testing';
import mqtt, { type MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, tempDir } from './support/bbreporters-cli.js';
import { testCertificate, writeTestCa } from './support/smtp.js';
import { Mosquitto } from './support/mosquitto.js';

const plugin = fileURLToPath(new URL('../plugins/mqtt', import.meta.url));
const docsPage = readFileSync(new URL('../docs/reporters/mqtt.md', import.meta.url), 'utf8');
const PASSWORD = 'mqtt-secret-8841';

interface Received {
  topic: string;
  message: { action: string; builder: string; buildset: { builds: Array<{ buildid: number; result: string | null }> } };
  raw: string;
  retain: boolean;
  qos: number;
}

let broker: Mosquitto | undefined;
let harness: Harness | undefined;
const clients: MqttClient[] = [];
afterEach(async () => {
  await harness?.close();
  harness = undefined;
  await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
  await broker?.stop();
  broker = undefined;
});

async function reporter(options: Record<string, unknown>, delivery = { baseDelayMs: 10, maxDelayMs: 40, retries: 4 }) {
  harness = await createHarness({
    plugin,
    options: { server: '127.0.0.1', port: broker!.port, ...options },
    delivery,
  });
  return harness;
}

/** A subscriber to `filter` at QoS 1 collecting what it receives. */
async function subscriber(filter = 'buildbot/#', options: mqtt.IClientOptions = {}) {
  const client = await mqtt.connectAsync(broker!.url, { reconnectPeriod: 100, ...options });
  clients.push(client);
  const received: Received[] = [];
  client.on('message', (topic, payload, packet) =>
    received.push({
      topic,
      raw: payload.toString(),
      message: JSON.parse(payload.toString()) as Received['message'],
      retain: packet.retain,
      qos: packet.qos,
    }),
  );
  await client.subscribeAsync(filter, { qos: 1 });
  return received;
}

async function until(check: () => boolean, what: () => string, ms = 20_000) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting: ${what()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Build i of `builder`: its start and end events (distinct build ids so core keeps every event). */
function build(i: number, builder = 'pass'): [Record<string, unknown>, Record<string, unknown>] {
  return (['pass.new', 'pass.finished'] as const).map((name) => {
    const event = fixture(name);
    event.buildid = 1000 + i;
    event.number = i;
    (event.builder as { name: string }).name = builder;
    return event;
  }) as [Record<string, unknown>, Record<string, unknown>];
}

/** What a subscriber should see for builds `from`..`to`: [topic, action, buildid] in order. */
const expected = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, k) => from + k).flatMap((i) => [
    ['buildbot/pass/pending', 'start', 1000 + i],
    ['buildbot/pass/success', 'success', 1000 + i],
  ]);
const seen = (received: Received[]) =>
  received.map((r) => [r.topic, r.message.action, r.message.buildset.builds[0].buildid]);

describe('mqtt with a real Mosquitto', () => {
  it('a subscriber receives every message of 25 builds, in order, at QoS 1; one message is exactly the docs page JSON', async () => {
    broker = await Mosquitto.start();
    const received = await subscriber();
    const h = await reporter({});
    for (let i = 1; i <= 25; i++) for (const event of build(i)) await h.emit(event);
    await h.drain();
    await until(
      () => received.length >= 50,
      () => `${received.length} of 50`,
    );
    expect(seen(received)).toEqual(expected(1, 25));
    expect(received.every((r) => r.qos === 1 && !r.retain)).toBe(true);
    expect(h.deliveries.map((d) => d.outcome.status)).toEqual(Array(50).fill('sent'));
    expect(h.deliveries[0].outcome.attempts).toBe(1);

    // The docs page shows the message of change-fail.finished on its topic, byte for byte.
    const failed = await subscriber('buildbot/fail/#');
    await h.emit(fixture('change-fail.finished'));
    await h.drain();
    await until(
      () => failed.length === 1,
      () => 'the fail message',
    );
    expect(failed[0].topic).toBe('buildbot/fail/failure');
    expect(docsPage).toContain(
      `Topic \`buildbot/fail/failure\`:\n\n\`\`\`json\n${JSON.stringify(failed[0].message, null, 2)}\n\`\`\``,
    );
  });

  it('the broker stopped and restarted mid-run (persistence on): nothing is lost at QoS 1, order kept per topic', async () => {
    broker = await Mosquitto.start();
    // A persistent session: the broker keeps the subscriber's queue across its restart.
    const received = await subscriber('buildbot/#', { clientId: 'bbr-test-sub', clean: false });
    const h = await reporter({}, { baseDelayMs: 50, maxDelayMs: 250, retries: 200 });
    for (let i = 1; i <= 10; i++) for (const event of build(i)) await h.emit(event);
    await broker.halt(); // while the first builds' messages are still being published
    for (let i = 11; i <= 20; i++) for (const event of build(i)) await h.emit(event);
    await new Promise((r) => setTimeout(r, 500));
    await broker.run();
    for (let i = 21; i <= 30; i++) for (const event of build(i)) await h.emit(event);
    await h.drain(60_000);
    expect(h.deliveries.map((d) => d.outcome.status)).toEqual(Array(60).fill('sent'));
    const want = expected(1, 30);
    const key = (r: unknown[]) => JSON.stringify(r);
    await until(
      () => new Set(seen(received).map(key)).size === want.length,
      () => `${new Set(seen(received).map(key)).size} of ${want.length} distinct; broker log:\n${broker!.log()}`,
    );
    // At least once: after the restart the broker may deliver again what it had not seen acknowledged
    // (a run of earlier messages); each message's first arrival is in order.
    const firsts = (list: unknown[][]) => list.filter((r, i) => list.findIndex((x) => key(x) === key(r)) === i);
    for (const topic of ['buildbot/pass/pending', 'buildbot/pass/success'])
      expect(firsts(seen(received).filter((r) => r[0] === topic))).toEqual(want.filter((r) => r[0] === topic));
    expect(h.deliveries.some((d) => d.outcome.attempts > 1)).toBe(true);
  });

  it('a password broker: our username/password are accepted; a wrong password is refused, logged clearly, not retried; never logged', async () => {
    broker = await Mosquitto.start({ users: { ci: PASSWORD, reader: 'reader-pass' } });
    const received = await subscriber('buildbot/#', { username: 'reader', password: 'reader-pass' });
    let h = await reporter({ username: 'ci', password: PASSWORD });
    for (const event of build(1)) await h.emit(event);
    await h.drain();
    await until(
      () => received.length === 2,
      () => `${received.length} of 2`,
    );
    expect(h.logs.join('\n')).not.toContain(PASSWORD);
    await h.close();

    h = await reporter({ username: 'ci', password: 'wrong-pass-5150' });
    await h.emit(build(2)[0]);
    await h.drain();
    expect(h.deliveries[0].outcome).toMatchObject({ status: 'failed', attempts: 1 });
    const errors = h.logs.map((l) => JSON.parse(l) as { level: number; msg: string }).filter((l) => l.level === 50);
    expect(errors.map((e) => e.msg)).toContain(
      `MQTT broker 127.0.0.1:${broker.port} refused the connection: Not authorized (CONNACK 5); check username and password`,
    );
    expect(JSON.stringify(h.deliveries[0].outcome)).toContain('refused the connection: Not authorized');
    expect(h.logs.join('\n') + JSON.stringify(h.deliveries)).not.toContain('wrong-pass-5150');
    expect(received).toHaveLength(2);
  });

  it("TLS: the broker's CA in tls.ca is accepted; without it the certificate is refused (final, logged); rejectUnauthorized: false skips the check", async () => {
    broker = await Mosquitto.start({ tls: testCertificate() });
    const received = await subscriber('buildbot/#', { protocol: 'mqtts', ca: testCertificate().cert });
    const ca = writeTestCa(tempDir());
    let h = await reporter({ tls: { ca } });
    await h.emit(build(1)[0]);
    await h.drain();
    await until(
      () => received.length === 1,
      () => `${received.length} of 1; broker log:\n${broker!.log()}`,
    );
    await h.close();

    h = await reporter({ tls: {} });
    await h.emit(build(2)[0]);
    await h.drain();
    expect(h.deliveries[0].outcome).toMatchObject({ status: 'failed', attempts: 1 });
    const errors = h.logs.map((l) => JSON.parse(l) as { level: number; msg: string }).filter((l) => l.level === 50);
    expect(errors.map((e) => e.msg).join('\n')).toContain(
      `MQTT broker 127.0.0.1:${broker.port} (TLS): TLS failed, the broker's certificate was not accepted`,
    );
    await h.close();

    h = await reporter({ tls: { rejectUnauthorized: false } });
    await h.emit(build(3)[0]);
    await h.drain();
    await until(
      () => received.length === 2,
      () => `${received.length} of 2`,
    );
    expect(seen(received)).toEqual([
      ['buildbot/pass/pending', 'start', 1001],
      ['buildbot/pass/pending', 'start', 1003],
    ]);
  });

  it('preview prints the topic and message, never the password, and connects to nothing', async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'config.yaml'),
      'title: Preview\nreporters:\n  - plugin: mqtt\n    options: { server: 127.0.0.1, port: 9, username: ci, password: "${MQTT_PASSWORD}" }\n',
    );
    writeFileSync(join(dir, 'event.json'), JSON.stringify(fixture('fail.finished')));
    const result = await runCli(
      ['preview', '--config', join(dir, 'config.yaml'), '--reporter', 'mqtt', '--event', join(dir, 'event.json')],
      {
        env: { MQTT_PASSWORD: PASSWORD },
      },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('"topic": "buildbot/fail/failure"');
    expect(result.stdout).toContain('"qos": 1');
    expect(result.stdout + result.stderr).not.toContain(PASSWORD);
  });

  it('hostile builder names stay one topic level: no wildcard, no extra level, no $ topic', async () => {
    broker = await Mosquitto.start();
    const received = await subscriber('buildbot/+/success');
    const h = await reporter({});
    for (const [i, name] of ['a/b', '+', '#', '$SYS', '%2F'].entries()) await h.emit(build(i, name)[1]);
    await h.drain();
    await until(
      () => received.length === 5,
      () => `${received.length} of 5: ${received.map((r) => r.topic).join(' ')}`,
    );
    expect(received.map((r) => r.topic)).toEqual([
      'buildbot/a%2Fb/success',
      'buildbot/%2B/success',
      'buildbot/%23/success',
      'buildbot/%24SYS/success',
      'buildbot/%252F/success',
    ]);
    expect(received.map((r) => r.message.builder)).toEqual(['a/b', '+', '#', '$SYS', '%2F']);
  });

  it('qos 0 and retain: a subscriber that comes later gets the retained message of each topic', async () => {
    broker = await Mosquitto.start();
    const h = await reporter({ qos: 0, retain: true, topic: 'ci/{event}/{builder}/{buildid}' });
    for (const event of build(7)) await h.emit(event);
    await h.drain();
    const late = await subscriber('ci/#');
    await until(
      () => late.length === 2,
      () => `${late.length} of 2`,
    );
    expect(late.map((r) => [r.topic, r.retain]).sort()).toEqual([
      ['ci/finished/pass/1007', true],
      ['ci/started/pass/1007', true],
    ]);
  });

  it('config: a server is required; qos only 0, 1 or 2; topic only known keys, no wildcards; cert needs key', () => {
    const problems = (options: Record<string, unknown>): string => {
      try {
        checkConfig(
          { reporters: [{ plugin: 'mqtt', options: { server: 'broker.example.org', ...options } }] },
          { configDir: fileURLToPath(new URL('..', import.meta.url)) },
        );
        return '';
      } catch (error) {
        return (error as { describe(): string }).describe();
      }
    };
    expect(problems({ server: undefined })).toMatch(/server/);
    expect(problems({ qos: 3 })).toMatch(/options\.qos/);
    expect(problems({ topic: 'buildbot/{tenant}' })).toMatch(/options\.topic/);
    expect(problems({ topic: 'buildbot/#' })).toMatch(/options\.topic/);
    expect(problems({ topic: 'buildbot/+/{result}' })).toMatch(/options\.topic/);
    expect(problems({ tls: { cert: 'c.pem' } })).toMatch(/key/);
    expect(problems({ password: 'x' })).toBe('');
    expect(problems({ topic: 'ci/{builder}/{result}/{event}', qos: 2, retain: true })).toBe('');
  });
});
