/**
 * @bbreporters/telegram driven through whole conversations against a Bot API server that follows
 * Telegram's documented methods (test/support/telegram-bot-api.ts): people type commands and press
 * inline-keyboard buttons; the bot polls with offsets, answers, forces and stops builds through
 * an in-memory MasterControl, and announces builds. The web-hook mode runs through
 * `bbreporters run` and its http source.
 */
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { BuilderStatus, ForceBuildRequest, MasterControl, StopBuildRequest } from '@bbreporters/core';
import { createHarness, fixture, type Harness } from '@bbreporters/core/testing';
import { startService, tempDir, type RunningService } from './support/bbreporters-cli.js';
import { BotApiServer, type TestChat, type TestUser } from './support/telegram-bot-api.js';

const pluginDir = fileURLToPath(new URL('../plugins/telegram/', import.meta.url));
const token = '123456:TEST-token_abc';
const alice: TestUser = { id: 11, first_name: 'Alice', username: 'alice' };
const mallory: TestUser = { id: 66, first_name: 'Mallory' };
const team: TestChat = { id: -1001, type: 'supergroup', title: 'CI team' };
const aliceChat: TestChat = { id: 11, type: 'private' };
const malloryChat: TestChat = { id: 66, type: 'private' };

/** An in-memory master: `pass` runs build #7, `fail` is idle. */
function fakeMaster() {
  const calls = { force: [] as ForceBuildRequest[], stop: [] as StopBuildRequest[] };
  const builders = [
    { builderid: 1, name: 'pass', tags: [] },
    { builderid: 2, name: 'fail', tags: [] },
  ];
  const running = {
    buildid: 107,
    number: 7,
    builderid: 1,
    buildrequestid: 1,
    workerid: 1,
    masterid: 1,
    started_at: Math.floor(Date.now() / 1000),
    complete: false,
    complete_at: null,
    results: null,
    state_string: 'compiling',
  };
  const master: MasterControl = {
    builders: async () => builders,
    builderStatus: async (name): Promise<BuilderStatus | undefined> => {
      const builder = builders.find((b) => b.name === name);
      if (!builder) return undefined;
      return { builder, state: 'idle', running: name === 'pass' ? [running] : [], pending: 0 };
    },
    forceBuild: async (request) => (calls.force.push(request), { buildsetId: 42 }),
    stopBuild: async (request) => (calls.stop.push(request), { stopped: request.builder === 'pass' ? 1 : 0 }),
  };
  return { master, calls };
}

/** A captured Buildbot 3.7 build with some fields changed. */
function withBuild(name: 'pass.finished' | 'fail.finished', patch: (build: { builder: object }) => object) {
  const build = fixture(name) as { builder: object };
  return { ...build, ...patch(build) };
}

let api: BotApiServer;
let harness: Harness | undefined;
let service: RunningService | undefined;

afterEach(async () => {
  await harness?.close();
  harness = undefined;
  await service?.stop();
  service = undefined;
  await api?.stop();
});

async function startBot(stateDir: string, master?: MasterControl, options: Record<string, unknown> = {}) {
  const h = await createHarness({
    plugin: pluginDir,
    stateDir,
    ...(master ? { master } : {}),
    delivery: { baseDelayMs: 10, maxDelayMs: 40, retries: 4 },
    options: {
      bot_token: token,
      apiRoot: api.url,
      chat_ids: [team.id],
      notify_events: ['started'],
      allowForce: true,
      authz: [alice.id],
      pollTimeout: 1,
      retryDelay: 0.2,
      ...options,
    },
  });
  await api.waitForCall('getUpdates');
  return h;
}

const startApi = () => BotApiServer.start({ token, username: 'bbr_ci_bot', chats: [team, aliceChat, malloryChat] });

describe('the Telegram bot in conversation (Bot API test server)', () => {
  it('introduces itself, tells ids, answers /cmd@thisbot and ignores commands for other bots', async () => {
    api = await startApi();
    harness = await startBot(mkdtempSync(join(tmpdir(), 'bbr-tg-')), fakeMaster().master);
    // At start: who am I, then the command menu (every command but start, with its description).
    expect(api.calls.slice(0, 3).map((c) => c.method)).toEqual(['getMe', 'setMyCommands', 'deleteWebhook']);
    const menu = api.callsOf('setMyCommands')[0]!.params.commands as Array<{ command: string }>;
    expect(menu.map((c) => c.command)).toEqual(expect.arrayContaining(['force', 'getid', 'nay', 'notify', 'status']));
    expect(menu.map((c) => c.command)).not.toContain('start');

    await api.say(aliceChat, alice, '/start');
    const hello = await api.messagesIn(aliceChat, 2);
    expect(hello.map((m) => m.text)).toEqual([
      'Hi @alice! I announce builds here and answer commands: try /help.',
      expect.stringMatching(/^buildbot commands: .*\bforce\b.*\bgetid\b.*\bnay\b.*\bstart\b/),
    ]);
    await api.say(team, alice, '/getid@bbr_ci_bot');
    await api.say(team, alice, '/status@other_bot pass');
    await api.say(team, alice, 'chatter in the group is not for the bot');
    await api.say(team, alice, '/status pass');
    expect((await api.messagesIn(team, 3)).map((m) => m.text)).toEqual([
      'Your ID is 11.',
      'This supergroup ID is -1001.',
      'pass: running: #7 (compiling)',
    ]);
    // Updates are confirmed with the offset: none is answered twice.
    await api.waitForCall('getUpdates', api.callsOf('getUpdates').length + 1);
    expect(api.messages.filter((m) => m.chat_id === team.id)).toHaveLength(3);
    expect(api.callsOf('getUpdates').at(-1)!.params.offset).toBeGreaterThan(5);
  });

  it('forces a build with a keyboard, and refuses an unauthorised user by command and by button', async () => {
    api = await startApi();
    const { master, calls } = fakeMaster();
    harness = await startBot(mkdtempSync(join(tmpdir(), 'bbr-tg-')), master);

    await api.say(team, alice, '/force');
    const [question] = await api.messagesIn(team, 1);
    expect(question!.text).toBe('Which builder do you want to start?');
    expect(question!.keyboard!.map((row) => row.map((b) => b.text))).toEqual([
      ['🚀 pass'],
      ['🚀 fail'],
      ['Never mind'],
    ]);

    // Someone outside authz presses alice's keyboard: the press counts as theirs.
    await api.press(question!, /🚀 pass/, mallory);
    expect((await api.messagesIn(team, 1, 1))[0]!.text).toBe('Sorry, Mallory: you are not authorized to force builds.');
    expect(calls.force).toEqual([]);
    await api.say(team, alice, '/force');
    const [again] = await api.messagesIn(team, 1, 2);
    await api.press(again!, /🚀 pass/, alice);
    expect((await api.messagesIn(team, 1, 3))[0]!.text).toBe('Force build successfully requested (buildset 42).');
    expect(calls.force).toEqual([
      {
        builder: 'pass',
        reason: 'forced: by @alice on CI team: requested with the keyboard',
        owner: '@alice on CI team',
      },
    ]);
    // The used keyboard is removed; every press was answered.
    await api.waitForCall('editMessageReplyMarkup', 2);
    expect(api.messages.find((m) => m.message_id === again!.message_id)!.keyboard).toBeUndefined();
    expect(api.callsOf('answerCallbackQuery')).toHaveLength(2);

    await api.say(malloryChat, mallory, '/force build pass now');
    await api.say(malloryChat, mallory, '/stop build pass now');
    expect((await api.messagesIn(malloryChat, 2)).map((m) => m.text)).toEqual([
      'Sorry, Mallory: you are not authorized to force builds.',
      'Sorry, Mallory: you are not authorized to stop builds.',
    ]);
    expect(calls.force).toHaveLength(1);
    expect(calls.stop).toEqual([]);
  });

  it('stops a running build and watches one with keyboards of the running builders only', async () => {
    api = await startApi();
    const { master, calls } = fakeMaster();
    harness = await startBot(mkdtempSync(join(tmpdir(), 'bbr-tg-')), master);

    await api.say(aliceChat, alice, '/stop');
    const [question] = await api.messagesIn(aliceChat, 1);
    expect(question!.keyboard!.map((row) => row.map((b) => b.text))).toEqual([['🚫 pass'], ['Never mind']]);
    await api.press(question!, /🚫 pass/, alice);
    expect((await api.messagesIn(aliceChat, 1, 1))[0]!.text).toBe('build 7 interrupted');
    expect(calls.stop).toEqual([{ builder: 'pass', reason: 'stopped: by @alice: requested with the keyboard' }]);

    await api.say(aliceChat, alice, '/watch');
    const [watch] = await api.messagesIn(aliceChat, 1, 2);
    await api.press(watch!, /🔎 pass/, alice);
    expect((await api.messagesIn(aliceChat, 1, 3))[0]!.text).toBe('watching build pass #7 until it finishes..');
    // The watched build finishing is told here, although this chat is not notified of anything.
    await harness.emit(
      withBuild('pass.finished', (b) => ({ buildid: 107, number: 7, builder: { ...b.builder, name: 'pass' } })),
    );
    await harness.drain();
    expect((await api.messagesIn(aliceChat, 1, 4))[0]!.text).toMatch(
      /^✅ Build <a href="[^"]+">#7<\/a> of <code>pass<\/code> completed successfully\.$/,
    );

    // /nay removes the keyboard of the question it answers.
    await api.say(aliceChat, alice, '/stop');
    const [third] = await api.messagesIn(aliceChat, 1, 5);
    await api.say(aliceChat, alice, '/nay', third);
    expect((await api.messagesIn(aliceChat, 1, 6))[0]!.text).toBe('Never mind, @alice...');
    await api.waitForCall('editMessageReplyMarkup', 3);
    expect(api.messages.find((m) => m.message_id === third!.message_id)!.keyboard).toBeUndefined();
  });

  it('notify on and off with the keyboard survive a restart', async () => {
    api = await startApi();
    const stateDir = mkdtempSync(join(tmpdir(), 'bbr-tg-'));
    harness = await startBot(stateDir);

    await api.say(aliceChat, alice, '/notify');
    const [menu] = await api.messagesIn(aliceChat, 1);
    expect(menu!.keyboard![1]!.map((b) => b.text)).toEqual(['🔕 success', '🔕 failure']);
    await api.press(menu!, /failure/, alice);
    // Redrawn in place: the same message now shows failure on.
    await api.waitForCall('editMessageReplyMarkup');
    expect(api.messages.find((m) => m.message_id === menu!.message_id)!.keyboard![1]!.map((b) => b.text)).toEqual([
      '🔕 success',
      '🔔 failure',
    ]);
    await harness.emit(fixture('fail.finished'));
    await harness.drain();
    const [failed] = await api.messagesIn(aliceChat, 1, 1);
    expect(failed!.parse_mode).toBe('HTML');
    expect(failed!.text).toMatch(/^❌ Build <a href="[^"]+">#\d+<\/a> of <code>fail<\/code> failed: /);

    // Restarted on the same state folder: alice's choice is still there.
    await harness.close();
    const before = api.callsOf('getUpdates').length;
    harness = await createHarness({
      plugin: pluginDir,
      stateDir,
      options: { bot_token: token, apiRoot: api.url, chat_ids: [team.id], pollTimeout: 1, retryDelay: 0.2 },
    });
    await api.waitForCall('getUpdates', before + 1);
    await harness.emit(fixture('fail.finished'));
    await harness.drain();
    expect((await api.messagesIn(aliceChat, 1, 2))[0]!.text).toMatch(/failed/);

    await api.say(aliceChat, alice, '/notify off');
    expect((await api.messagesIn(aliceChat, 1, 3))[0]!.text).toBe('No events are being notified.');
    await harness.close();
    harness = await createHarness({
      plugin: pluginDir,
      stateDir,
      options: { bot_token: token, apiRoot: api.url, chat_ids: [team.id], notify_events: ['finished'], pollTimeout: 1 },
    });
    await harness.emit(fixture('fail.finished'));
    await harness.drain();
    // The group follows notify_events; alice's chat stays off.
    await api.messagesIn(team, 1);
    expect(api.messages.filter((m) => m.chat_id === aliceChat.id)).toHaveLength(4);
  });

  it('waits as long as flood control asks, and escapes hostile event data for HTML', async () => {
    api = await startApi();
    harness = await startBot(mkdtempSync(join(tmpdir(), 'bbr-tg-')), undefined, { notify_events: ['finished'] });
    api.flood('sendMessage', 1);
    const hostile = '<b>x</b> & *_[evil](tg://resolve?domain=x)';
    await harness.emit(withBuild('fail.finished', (b) => ({ builder: { ...b.builder, name: hostile } })));
    await harness.drain();
    const [message] = await api.messagesIn(team, 1);
    const [refused, accepted] = api.callsOf('sendMessage');
    expect(accepted!.at - refused!.at).toBeGreaterThanOrEqual(1000);
    // The server parsed it as HTML (it refuses broken markup with 400): the name is text, not markup.
    expect(message!.text).toContain('<code>&lt;b&gt;x&lt;/b&gt; &amp; *_[evil](tg://resolve?domain=x)</code>');
    expect(harness.deliveries.map((d) => d.outcome.status)).toEqual(['sent']);
    // The token is in every API URL, never in a queued payload or a log line.
    expect(JSON.stringify(harness.deliveries.map((d) => d.delivery))).not.toContain('TEST-token');
    expect(harness.logs.join('')).not.toContain('TEST-token');
  });
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('the Telegram bot on a web-hook (bbreporters run)', () => {
  it('registers its hook with a secret, answers updates posted to it, and refuses posts without the secret', async () => {
    api = await startApi();
    const port = await freePort();
    const dir = tempDir({
      'bbreporters.yaml': [
        'title: Telegram web-hook',
        'sources:',
        `  - { type: http, listen: "127.0.0.1:${port}" }`,
        'reporters:',
        '  - plugin: telegram',
        '    name: tg',
        '    options:',
        `      bot_token: "${token}"`,
        `      apiRoot: ${api.url}`,
        `      chat_ids: [${team.id}]`,
        '      notify_events: [failure]',
        '      useWebhook: true',
        `      webhookURL: http://127.0.0.1:${port}/`,
        '',
      ].join('\n'),
    });
    service = await startService(join(dir, 'bbreporters.yaml'));
    const set = await api.waitForCall('setWebhook');
    expect(set.params.url).toBe(`http://127.0.0.1:${port}/hooks/tg`);
    expect(set.params.secret_token).toMatch(/^[a-f0-9]{64}$/);
    expect(api.callsOf('getUpdates')).toEqual([]);

    await api.say(aliceChat, alice, '/getid');
    expect((await api.messagesIn(aliceChat, 1))[0]!.text).toBe('Your ID is 11.');
    const forged = await fetch(`http://127.0.0.1:${port}/hooks/tg`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': 'guess' },
      body: JSON.stringify({
        update_id: 99,
        message: { message_id: 1, date: 0, chat: aliceChat, from: alice, text: '/getid' },
      }),
    });
    expect(forged.status).toBe(401);

    // Events posted to the same server are announced; the token never reaches the log.
    const posted = await fetch(service.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(fixture('fail.finished')),
    });
    expect(posted.status).toBe(200);
    expect((await api.messagesIn(team, 1))[0]!.text).toMatch(/of <code>fail<\/code> failed/);
    expect(api.messages.filter((m) => m.chat_id === aliceChat.id)).toHaveLength(1);
    await service.stop();
    expect(service.stderr()).not.toContain('TEST-token_abc');
    service = undefined;
  });
});
