/**
 * @bbreporters/irc against a real ngircd: build events emitted into core reach the channel (or
 * private chats) as the bot's messages; a key-protected channel, NickServ identify (a client
 * named NickServ stands in for services, which ngircd lacks), injection, splitting, the line
 * rate, and reconnecting after the server was killed.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, fixture, fixtures, type Harness } from '@bbreporters/core/testing';
import { IrcTestClient, Ngircd, type ReceivedLine } from './support/ngircd.js';

const pluginDir = fileURLToPath(new URL('../plugins/irc/', import.meta.url));
const stateDir = () => mkdtempSync(join(tmpdir(), 'bbr-irc-state-'));

type Payload = Record<string, unknown> & { builder: Record<string, unknown> };
const event = (name: Parameters<typeof fixture>[0], change: (p: Payload) => void = () => undefined) => {
  const body = fixture(name) as Payload;
  change(body);
  return body;
};

describe('IRC notifications against a real ngircd', () => {
  let server: Ngircd;
  let alice: IrcTestClient;
  let nickserv: IrcTestClient;
  const harnesses: Harness[] = [];

  /** Starts a bot and waits until it sits in `channel`. */
  async function bot(
    nick: string,
    options: Record<string, unknown>,
    channel = '#ci',
    state = stateDir(),
  ): Promise<Harness> {
    const since = alice.lines.length;
    const harness = await createHarness({
      plugin: pluginDir,
      stateDir: state,
      master: {},
      options: { host: '127.0.0.1', port: server.port, nick, channels: [channel], lineRate: 0.3, ...options },
    });
    harnesses.push(harness);
    await alice
      .waitFor((l) => l.command === 'JOIN' && l.prefix.startsWith(`${nick}!`) && l.params[0] === channel, 15_000, since)
      .catch((error: Error) => {
        throw new Error(`${error.message}\nbot log:\n${harness.logs.join('')}`);
      });
    return harness;
  }

  /** Waits for `count` messages from `from` to `to`, then a little longer to catch extra ones. */
  async function messages(
    from: string,
    to: string,
    since: number,
    count: number,
    settleMs = 800,
  ): Promise<ReceivedLine[]> {
    const deadline = Date.now() + 30_000;
    while (alice.messages(from, to, since).length < count && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, settleMs));
    return alice.messages(from, to, since);
  }

  beforeAll(async () => {
    server = await Ngircd.start({ keyedChannels: [{ name: '#secret', key: 'sekrit' }] });
    nickserv = await IrcTestClient.connect(server.port, 'NickServ');
    alice = await IrcTestClient.connect(server.port, 'alice');
    await alice.join('#ci');
  });

  afterEach(async () => {
    for (const h of harnesses.splice(0)) await h.close();
  });

  afterAll(async () => {
    alice?.close();
    nickserv?.close();
    await server?.stop();
  });

  it('announces started and finished builds in the channel, results in mIRC colours', async () => {
    await bot('colourbot', { notify_events: ['started', 'finished'] });
    const since = alice.lines.length;
    const harness = harnesses[0]!;
    for (const name of ['pass.new', 'pass.finished', 'fail.finished', 'warn.finished', 'cancel.finished'] as const)
      await harness.emit(fixture(name));
    const texts = (await messages('colourbot', '#ci', since, 5)).map((l) => [l.command, l.params[1]]);
    expect(texts).toEqual([
      ['PRIVMSG', 'build #1 of pass started'],
      [
        'PRIVMSG',
        'Build pass #1 is complete: \x0303Success\x0f [build successful] - http://127.0.0.1:8010/#builders/1/builds/1',
      ],
      [
        'PRIVMSG',
        "Build fail #1 is complete: \x0304Failure\x0f [failed 'false' (failure)] - http://127.0.0.1:8010/#builders/5/builds/1",
      ],
      [
        'PRIVMSG',
        "Build warn #1 is complete: \x0308Warnings\x0f [warnings 'false' (failure)] - http://127.0.0.1:8010/#builders/6/builds/1",
      ],
      [
        'PRIVMSG',
        "Build slow #2 is complete: \x0313Cancelled\x0f [cancelled (cancelled by bbharness) 'sleep 3' (cancelled)] - http://127.0.0.1:8010/#builders/2/builds/2",
      ],
    ]);
  });

  it('announces a missing worker to those who asked for worker events', async () => {
    const harness = await bot('workerbot', { notify_events: ['worker', 'started'] });
    const since = alice.lines.length;
    await harness.emit(fixtures.workerMissing());
    expect((await messages('workerbot', '#ci', since, 1)).map((l) => l.params[1])).toEqual([
      'Worker ghost-worker is missing. It was seen last on Mon Nov 23 19:49:45 2026.',
    ]);
  });

  it('sends plain text without colours, and NOTICEs on the channel with noticeOnChannel', async () => {
    const harness = await bot('plainbot', { notify_events: ['failure'], useColors: false, noticeOnChannel: true });
    const since = alice.lines.length;
    await harness.emit(fixture('pass.finished'));
    await harness.emit(fixture('fail.finished'));
    const lines = await messages('plainbot', '#ci', since, 1);
    expect(lines.map((l) => [l.command, l.params[1]])).toEqual([
      [
        'NOTICE',
        "Build fail #1 is complete: Failure [failed 'false' (failure)] - http://127.0.0.1:8010/#builders/5/builds/1",
      ],
    ]);
  });

  it('announces xToY transitions against the previous build from core history, only for the configured tags', async () => {
    // Buildbot's dictionary form: only the keys count.
    const harness = await bot('transbot', {
      notify_events: { successToFailure: 1, started: 0 },
      tags: ['failing'],
      useColors: false,
    });
    const since = alice.lines.length;
    const number = (n: number, results: number) => (p: Payload) => {
      Object.assign(p, { buildid: 900 + n, number: n, results });
      delete p.prev_build;
    };
    await harness.emit(fixture('pass.new')); // builder `pass` lacks the tag
    await harness.emit(event('fail.finished', number(10, 0)));
    await harness.emit(event('fail.finished', number(11, 2))); // success → failure
    await harness.emit(event('fail.finished', number(12, 2))); // failure → failure: not configured
    await harness.emit(event('fail.new', (p) => Object.assign(p, { buildid: 913, number: 13 })));
    const texts = (await messages('transbot', '#ci', since, 2)).map((l) => l.params[1]);
    expect(texts).toEqual([
      "Build fail #11 is complete: Failure [failed 'false' (failure)] - http://127.0.0.1:8010/#builders/5/builds/1",
      'build #13 of fail started',
    ]);
  });

  it('names builds by revision with useRevisions and appends the blame list of failed builds with showBlameList', async () => {
    const harness = await bot('revbot', {
      notify_events: ['failure', 'success'],
      useRevisions: true,
      showBlameList: true,
      useColors: false,
    });
    const since = alice.lines.length;
    await harness.emit(
      event('change-fail.finished', (p) => Object.assign(p, { blamelist: ['Alice <alice@example.org>'] })),
    );
    await harness.emit(
      event('change-pass.finished', (p) => Object.assign(p, { blamelist: ['Alice <alice@example.org>'] })),
    );
    expect((await messages('revbot', '#ci', since, 2)).map((l) => l.params[1])).toEqual([
      "Build fail containing revision [6bb18fb] is complete: Failure [failed 'false' (failure)] - http://127.0.0.1:8010/#builders/5/builds/3 - blamelist: Alice <alice@example.org>",
      'Build pass containing revision [6bb18fb] is complete: Success [build successful] - http://127.0.0.1:8010/#builders/1/builds/4',
    ]);
  });

  it('joins a key-protected channel, identifies to NickServ and notifies pm_to_nicks, keeping both secrets out of the logs', async () => {
    await alice.join('#secret', 'sekrit');
    const harness = await bot(
      'secretbot',
      {
        channels: [{ channel: '#secret', password: 'sekrit' }],
        password: 'nickpass',
        pm_to_nicks: ['alice'],
        notify_events: ['started'],
      },
      '#secret',
    );
    const identify = await nickserv.waitFor((l) => l.command === 'PRIVMSG' && l.prefix.startsWith('secretbot!'));
    expect(identify.params).toEqual(['NickServ', 'IDENTIFY nickpass']);
    const since = alice.lines.length;
    await harness.emit(fixture('pass.new'));
    expect((await messages('secretbot', '#secret', since, 1)).map((l) => l.params[1])).toEqual([
      'build #1 of pass started',
    ]);
    expect((await messages('secretbot', 'alice', since, 1, 0)).map((l) => l.params[1])).toEqual([
      'build #1 of pass started',
    ]);
    const logs = harness.logs.join('\n');
    expect(logs).toContain('signed on to IRC');
    expect(logs).not.toContain('nickpass');
    expect(logs).not.toContain('sekrit');
  });

  it('tells who asked when the server refuses to let it join a channel', async () => {
    await bot('joinbot', { authz: ['alice'] });
    expect(await alice.ask('#ci', 'joinbot: join #secret wrongkey', 'joinbot', 2)).toEqual([
      'Joining #secret',
      expect.stringMatching(/^I can't join #secret: .*key/i),
    ]);
  });

  it('keeps what users chose with notify across a restart, in the state folder', async () => {
    const state = stateDir();
    const first = await bot('memorybot', { notify_events: ['started'] }, '#ci', state);
    expect(await alice.ask('#ci', 'memorybot: notify on failure', 'memorybot')).toEqual([
      'The following events are being notified: failure, started.',
    ]);
    expect(await alice.ask('memorybot', 'notify on finished', 'memorybot', 1, 'alice')).toEqual([
      'The following events are being notified: finished.',
    ]);
    const beforeQuit = alice.lines.length;
    await first.close();
    harnesses.splice(harnesses.indexOf(first), 1);
    await alice.waitFor((l) => l.command === 'QUIT' && l.prefix.startsWith('memorybot!'), 15_000, beforeQuit);

    const second = await bot('memorybot', { notify_events: ['started'] }, '#ci', state);
    expect(await alice.ask('#ci', 'memorybot: notify list', 'memorybot')).toEqual([
      'The following events are being notified: failure, started.',
    ]);
    expect(await alice.ask('memorybot', 'notify list', 'memorybot', 1, 'alice')).toEqual([
      'The following events are being notified: finished.',
    ]);
    const since = alice.lines.length;
    await second.emit(fixture('fail.finished'));
    const lines = await messages('memorybot', 'alice', since, 1);
    expect(lines.map((l) => l.params[1])).toEqual([expect.stringMatching(/^Build fail #1 is complete: /)]);
  });

  it('removes CR and LF from event text: a builder name cannot add a second IRC command', async () => {
    const harness = await bot('crlfbot', { notify_events: ['started'] });
    const since = alice.lines.length;
    await harness.emit(
      event('pass.new', (p) => Object.assign(p.builder, { name: 'evil\r\nPRIVMSG #ci :injected\r\nQUIT :bye\n\0' })),
    );
    const lines = await messages('crlfbot', '#ci', since, 1);
    expect(lines.map((l) => l.params[1])).toEqual(['build #1 of evil PRIVMSG #ci :injected QUIT :bye  started']);
    expect(alice.lines.slice(since).filter((l) => l.prefix.startsWith('crlfbot!') && l.command !== 'PRIVMSG')).toEqual(
      [],
    );
    expect(await alice.ask('#ci', 'crlfbot: hello', 'crlfbot')).toEqual(['yes?']);
  });

  it('splits a long message into lines that fit 512 bytes with the prefix, never inside a UTF-8 character', async () => {
    const harness = await bot('longbot', { notify_events: ['failure'], useColors: false });
    const since = alice.lines.length;
    const state = `broken ${'é☃x'.repeat(150)} ${'word '.repeat(60)}end`;
    await harness.emit(event('fail.finished', (p) => Object.assign(p, { state_string: state })));
    const expected = `Build fail #1 is complete: Failure [${state}] - http://127.0.0.1:8010/#builders/5/builds/1`;
    // About 1,300 bytes: 415 bytes per line are left beside `:longbot!~longbot@<63-byte host> PRIVMSG #ci :`.
    const lines = await messages('longbot', '#ci', since, 5);
    expect(lines).toHaveLength(5);
    for (const line of lines) {
      expect(Buffer.byteLength(`${line.raw}\r\n`)).toBeLessThanOrEqual(512);
      expect(line.params[1]).not.toContain('\uFFFD');
    }
    const joined = lines.map((l) => l.params[1]).join('');
    expect(joined.replace(/ /g, '')).toBe(expected.replace(/ /g, ''));
  });

  it('cuts a notification built from a 1 MiB builder name, so the next event is announced within seconds', async () => {
    const harness = await bot('floodbot', { notify_events: ['started'], lineRate: 0.3, maxMessageLength: 600 });
    const since = alice.lines.length;
    const huge = 'x'.repeat(1024 * 1024);
    await harness.emit(
      event('pass.new', (p) => Object.assign(p, { buildid: 7001, number: 1, builder: { ...p.builder, name: huge } })),
    );
    const started = Date.now();
    await harness.emit(event('pass.new', (p) => Object.assign(p, { buildid: 7002, number: 2 })));
    const lines = await messages('floodbot', '#ci', since, 3, 1500);
    const ordinary = lines.findIndex((l) => l.params[1] === 'build #2 of pass started');
    expect(ordinary).toBeGreaterThan(0);
    expect(lines[ordinary]!.at - started).toBeLessThan(5000);
    // The cut message: a few lines ending in an ellipsis, not 2,600 lines.
    const cutLines = lines.slice(0, ordinary).map((l) => l.params[1]);
    expect(cutLines.length).toBeLessThanOrEqual(3);
    expect(cutLines.join('').endsWith('…')).toBe(true);
    expect(Array.from(cutLines.join('')).length).toBeLessThanOrEqual(600);
  }, 60_000);

  it('sends a burst of 50 notifications complete, in order and no faster than lineRate', async () => {
    const lineRate = 0.35;
    const harness = await bot('burstbot', { notify_events: ['started'], lineRate });
    const since = alice.lines.length;
    for (let i = 0; i < 50; i++)
      await harness.emit(event('pass.new', (p) => Object.assign(p, { buildid: 5000 + i, number: 100 + i })));
    const lines = await messages('burstbot', '#ci', since, 50, 1000);
    expect(lines.map((l) => l.params[1])).toEqual(
      Array.from({ length: 50 }, (_, i) => `build #${100 + i} of pass started`),
    );
    // Measured where the lines arrive: one line held up by the scheduler shortens the gap after it,
    // so the rate is checked over windows of 5 gaps (a single late line costs at most one of them).
    const windows = lines.slice(5).map((l, i) => l.at - lines[i]!.at);
    expect(Math.min(...windows)).toBeGreaterThanOrEqual(4 * lineRate * 1000);
    expect(lines.at(-1)!.at - lines[0]!.at).toBeGreaterThanOrEqual(49 * lineRate * 1000 * 0.97);
  }, 60_000);
});

describe('IRC bot when the server goes away', () => {
  let server: Ngircd;
  let harness: Harness;
  let alice: IrcTestClient;

  beforeAll(async () => {
    server = await Ngircd.start();
  });

  afterAll(async () => {
    alice?.close();
    await harness?.close();
    await server?.stop();
  });

  it('returns after lostDelay then failedDelay, rejoins its channel and sends what was announced meanwhile', async () => {
    alice = await IrcTestClient.connect(server.port, 'alice');
    await alice.join('#ci');
    harness = await createHarness({
      plugin: pluginDir,
      stateDir: stateDir(),
      master: {},
      options: {
        host: '127.0.0.1',
        port: server.port,
        nick: 'phoenix',
        channels: ['#ci'],
        notify_events: ['started'],
        lineRate: 0.3,
        lostDelay: 2,
        failedDelay: 3,
      },
    });
    await alice.waitFor((l) => l.command === 'JOIN' && l.prefix.startsWith('phoenix!'));
    alice.close();

    const killedAt = Date.now();
    await server.kill();
    // While the server is down: announced now, sent once the bot is back.
    await harness.emit(fixture('pass.new'));
    // The first reconnect (lostDelay, 2 s after the loss) finds no server; the next one comes
    // failedDelay (3 s) later. The server is back in between, and alice in the channel before the bot.
    await new Promise((r) => setTimeout(r, 2500));
    await server.launch();
    alice = await IrcTestClient.connect(server.port, 'alice');
    await alice.join('#ci');
    const rejoined = await alice
      .waitFor((l) => l.command === 'JOIN' && l.prefix.startsWith('phoenix!'))
      .catch((e) => {
        console.log(harness.logs.join(''), server.output.join('\n'));
        throw e;
      });
    expect(rejoined.at - killedAt).toBeGreaterThanOrEqual(5000);
    expect(rejoined.at - killedAt).toBeLessThan(8000);
    const announced = await alice.waitFor((l) => l.command === 'PRIVMSG' && l.prefix.startsWith('phoenix!'));
    expect(announced.params).toEqual(['#ci', 'build #1 of pass started']);
    const warnings = harness.logs
      .map((l) => JSON.parse(l) as { msg: string; reconnectInMs?: number })
      .filter((l) => l.reconnectInMs !== undefined);
    expect(warnings.slice(0, 2).map((l) => [l.msg, l.reconnectInMs])).toEqual([
      ['IRC connection lost', 2000],
      ['IRC connection failed', 3000],
    ]);
    await harness.drain(5000);
    expect(harness.deliveries.map((d) => [d.delivery.target, d.outcome.status])).toEqual([['irc:#ci', 'sent']]);
  });
});

describe('IRC server with a connection password', () => {
  let server: Ngircd;
  let harness: Harness;
  let alice: IrcTestClient;

  beforeAll(async () => {
    server = await Ngircd.start({ password: 'letmein' });
    alice = await IrcTestClient.connect(server.port, 'alice', 'letmein');
    await alice.join('#ci');
  });

  afterAll(async () => {
    alice?.close();
    await harness?.close();
    await server?.stop();
  });

  it('registers with serverPassword (PASS) and keeps it out of the logs', async () => {
    harness = await createHarness({
      plugin: pluginDir,
      stateDir: stateDir(),
      master: {},
      options: {
        host: '127.0.0.1',
        port: server.port,
        nick: 'passbot',
        channels: ['#ci'],
        serverPassword: 'letmein',
        lineRate: 0.3,
      },
    });
    await alice.waitFor((l) => l.command === 'JOIN' && l.prefix.startsWith('passbot!'));
    expect(await alice.ask('#ci', 'passbot: hello', 'passbot')).toEqual(['yes?']);
    expect(harness.logs.join('\n')).not.toContain('letmein');
  });
});

describe('IRC over TLS (useSSL)', () => {
  let server: Ngircd;
  const harnesses: Harness[] = [];
  let alice: IrcTestClient;

  beforeAll(async () => {
    server = await Ngircd.start({ tls: true });
    alice = await IrcTestClient.connect(server.port, 'alice');
    await alice.join('#ci');
  });

  afterAll(async () => {
    alice?.close();
    for (const h of harnesses) await h.close();
    await server?.stop();
  });

  const start = async (nick: string, sslVerify: boolean) => {
    const harness = await createHarness({
      plugin: pluginDir,
      stateDir: stateDir(),
      master: {},
      options: {
        host: '127.0.0.1',
        port: server.tlsPort,
        useSSL: true,
        sslVerify,
        nick,
        channels: ['#ci'],
        notify_events: ['started'],
        lineRate: 0.3,
        failedDelay: 60,
      },
    });
    harnesses.push(harness);
    return harness;
  };

  it('connects with TLS and announces builds', async () => {
    const harness = await start('tlsbot', false);
    await alice.waitFor((l) => l.command === 'JOIN' && l.prefix.startsWith('tlsbot!'));
    const since = alice.lines.length;
    await harness.emit(fixture('pass.new'));
    const line = await alice.waitFor((l) => l.command === 'PRIVMSG' && l.prefix.startsWith('tlsbot!'), 15_000, since);
    expect(line.params).toEqual(['#ci', 'build #1 of pass started']);
    expect(server.output.join('\n')).toMatch(/initialized TLS/);
  });

  it('refuses a server certificate it cannot verify unless sslVerify is off', async () => {
    const harness = await start('strictbot', true);
    const deadline = Date.now() + 10_000;
    while (!harness.logs.some((l) => l.includes('IRC connection failed')) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    const failure = harness.logs
      .map((l) => JSON.parse(l) as { msg: string; reason?: string })
      .find((l) => l.msg === 'IRC connection failed');
    expect(failure?.reason).toMatch(/self[- ]signed certificate/);
    expect(alice.lines.some((l) => l.prefix.startsWith('strictbot!'))).toBe(false);
  });
});
