/**
 * @bbreporters/matrix against a loopback homeserver (test/support/matrix-homeserver.ts) that
 * applies a homeserver's rules: tokens, membership, the m.room.message content and its HTML tags,
 * the event size, edits, and transaction ids (a retried PUT returns the first event). The main
 * paths run through `bbreporters run` as a child process fed Buildbot 3.7's captured builds; the
 * expected contents are typed with matrix-js-sdk's RoomMessageEventContent and LoginRequest.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fixture, type Harness } from '@bbreporters/core/testing';
import type { LoginRequest } from 'matrix-js-sdk/lib/@types/auth.js';
import type { RoomMessageEventContent } from 'matrix-js-sdk/lib/@types/events.js';
import { afterEach, describe, expect, it } from 'vitest';
import { httpStatusPushDir, runCli, startService, tempDir } from './support/bbreporters-cli.js';
import { contentProblems, FakeHomeserver } from './support/matrix-homeserver.js';
import { reporterSession } from './support/reporter-session.js';

const plugin = fileURLToPath(new URL('../plugins/matrix', import.meta.url));
const PASSWORD = 'matrix-pw-7731';
const TOKEN = 'syt_static_token_4412';

/** A type with its string enums as their string values: what arrives as JSON. */
type Wire<T> = T extends string ? `${T}` : T extends object ? { [K in keyof T]: Wire<T[K]> } : T;
type Content = Wire<RoomMessageEventContent>;

let homeserver: FakeHomeserver;
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});
const session = reporterSession({
  plugin,
  server: () => homeserver?.server,
  options: () => ({ homeserver: homeserver.url, room: '!ci:example.org', accessToken: TOKEN }),
});

const BUILD_URL = fixture('fail.finished').url as string;

const startedFail = {
  msgtype: 'm.notice',
  body: `🔄 Build #1 of fail started\nBuilder: fail\n${BUILD_URL}`,
  format: 'org.matrix.custom.html',
  formatted_body:
    '<p>🔄 <b><font color="#9e9e9e" data-mx-color="#9e9e9e">Build #1 of fail started</font></b></p>' +
    '<ul><li><b>Builder:</b> fail</li></ul>' +
    `<p><a href="${BUILD_URL}">View build #1</a></p>`,
  'm.mentions': {},
} satisfies Content;

const finishedFail = {
  msgtype: 'm.notice',
  body: `❌ Build #1 of fail failed\nfailed 'false' (failure)\nBuilder: fail\nFailing steps: false\n${BUILD_URL}`,
  format: 'org.matrix.custom.html',
  formatted_body:
    '<p>❌ <b><font color="#d50200" data-mx-color="#d50200">Build #1 of fail failed</font></b></p>' +
    '<p><i>failed &#39;false&#39; (failure)</i></p>' +
    '<ul><li><b>Builder:</b> fail</li><li><b>Failing steps:</b> <code>false</code></li></ul>' +
    `<p><a href="${BUILD_URL}">View build #1</a></p>`,
  'm.mentions': {},
} satisfies Content;

const editOf = (eventId: string) =>
  ({
    ...finishedFail,
    body: `* ${finishedFail.body}`,
    formatted_body: `* ${finishedFail.formatted_body}`,
    'm.new_content': finishedFail,
    'm.relates_to': { rel_type: 'm.replace', event_id: eventId },
  }) satisfies Content;

async function until(done: () => boolean, timeoutMs = 8000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** `bbreporters run` with a matrix reporter logging in as bot (password from the environment) to post in #ci. */
async function service(options: Record<string, unknown> = {}) {
  const dir = tempDir();
  const config = join(dir, 'bbreporters.yaml');
  const matrix = JSON.stringify({
    homeserver: homeserver.url,
    room: '#ci:example.org',
    user: 'bot',
    password: '${MATRIX_PASSWORD}',
    ...options,
  });
  writeFileSync(
    config,
    `stateDir: state\nsources:\n  - { type: http, listen: 127.0.0.1:0 }\nreporters:\n` +
      `  - plugin: '@bbreporters/matrix'\n    options: ${matrix}\n    delivery: { baseDelayMs: 10, maxDelayMs: 40 }\n`,
  );
  const running = await startService(config, { env: { MATRIX_PASSWORD: PASSWORD } });
  cleanups.push(() => running.stop());
  const post = async (name: string) => {
    const body = readFileSync(join(httpStatusPushDir, `${name}.json`), 'utf8');
    const answer = await fetch(running.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(answer.status).toBe(200);
  };
  return { dir, config, running, post };
}

/** Every file under `dir`, as bytes in latin1 (a secret in the SQLite ledger shows as its ASCII text). */
function filesText(dir: string): string {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => join(dir, f))
    .filter((f) => statSync(f).isFile())
    .map((f) => readFileSync(f).toString('latin1'))
    .join('\n');
}

describe('matrix through bbreporters run', () => {
  it('a failing build: login once, alias resolved, started message, a 429 waited out, then the edit to failed', async () => {
    homeserver = await FakeHomeserver.start({ user: 'bot', password: PASSWORD });
    homeserver.limitNextSend = 300;
    const { dir, running, post } = await service();
    await post('fail.new');
    await post('fail.finished');
    await until(() => homeserver.timeline.length === 2);

    const requests = homeserver.server.requests;
    expect(requests.map((r) => `${r.method} ${r.url.replace(/[0-9a-f-]{36}$/, '<txn>')}`)).toEqual([
      'POST /_matrix/client/v3/login',
      'GET /_matrix/client/v3/directory/room/%23ci%3Aexample.org',
      'PUT /_matrix/client/v3/rooms/!ci%3Aexample.org/send/m.room.message/<txn>',
      'PUT /_matrix/client/v3/rooms/!ci%3Aexample.org/send/m.room.message/<txn>',
      'PUT /_matrix/client/v3/rooms/!ci%3Aexample.org/send/m.room.message/<txn>',
    ]);
    const login: Wire<LoginRequest> = JSON.parse(requests[0].body) as Wire<LoginRequest>;
    expect(login).toEqual({
      type: 'm.login.password',
      identifier: { type: 'm.id.user', user: 'bot' },
      password: PASSWORD,
      initial_device_display_name: 'bbreporters',
    } satisfies Wire<LoginRequest>);
    const sends = homeserver.sends();
    // The 429'd send is retried with the same transaction id, after retry_after_ms; the edit has its own.
    expect(sends[1].url).toBe(sends[0].url);
    expect(sends[2].url).not.toBe(sends[1].url);
    expect(sends[1].at - sends[0].at).toBeGreaterThanOrEqual(300);
    for (const send of sends) expect(send.headers.authorization).toBe('Bearer syt_login_1');

    expect(homeserver.timeline.map((e) => e.content)).toEqual([startedFail, editOf('$event1')]);
    expect(homeserver.timeline.map((e) => contentProblems(e.content))).toEqual([[], []]);
    expect(homeserver.shown()).toEqual([{ event_id: '$event1', content: finishedFail }]);

    await running.stop();
    // Neither the password nor the token it got is in the log or under the state folder (the ledger).
    const state = filesText(join(dir, 'state'));
    for (const secret of [PASSWORD, 'syt_login_1']) {
      expect(running.stderr()).not.toContain(secret);
      expect(state).not.toContain(secret);
    }
    expect(state).toContain('Build #1 of fail failed');
  });

  it('a send whose answer was lost is retried with its transaction id: the homeserver posts it once', async () => {
    homeserver = await FakeHomeserver.start({ user: 'bot', password: PASSWORD });
    homeserver.loseNextAnswer = true;
    const { post } = await service();
    await post('fail.new');
    await post('fail.finished');
    await until(() => homeserver.timeline.length === 2);
    const sends = homeserver.sends();
    expect(sends).toHaveLength(3);
    expect(sends[1].url).toBe(sends[0].url);
    expect(sends[1].body).toBe(sends[0].body);
    // One started message, and the finish edits it: the retry posted nothing twice.
    expect(homeserver.timeline.map((e) => e.content)).toEqual([startedFail, editOf('$event1')]);
  });

  it('the started message is edited after a restart between start and finish', async () => {
    homeserver = await FakeHomeserver.start({ user: 'bot', password: PASSWORD });
    const first = await service();
    await first.post('fail.new');
    await until(() => homeserver.timeline.length === 1);
    await first.running.stop();
    const running = await startService(first.config, { env: { MATRIX_PASSWORD: PASSWORD } });
    cleanups.push(() => running.stop());
    const body = readFileSync(join(httpStatusPushDir, 'fail.finished.json'), 'utf8');
    await fetch(running.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    await until(() => homeserver.timeline.length === 2);
    expect(homeserver.timeline[1].content).toEqual(editOf('$event1'));
  });

  it('preview shows the message as the homeserver receives it, the password masked', async () => {
    homeserver = await FakeHomeserver.start({ user: 'bot', password: PASSWORD });
    const { config } = await service();
    const result = await runCli(
      ['preview', '--config', config, '--reporter', 'matrix', '--event', join(httpStatusPushDir, 'fail.finished.json')],
      { env: { MATRIX_PASSWORD: PASSWORD } },
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('--- delivery 1 of 1 to matrix:#ci:example.org');
    const json = result.stdout.slice(result.stdout.indexOf('{'), result.stdout.lastIndexOf('}') + 1);
    expect(JSON.parse(json)).toEqual({
      url: `${homeserver.url}/_matrix/client/v3/rooms/%23ci%3Aexample.org/send/m.room.message`,
      buildid: 2,
      phase: 'finished',
      content: finishedFail,
    });
    expect(result.stdout + result.stderr).not.toContain(PASSWORD);
    expect(homeserver.server.requests).toEqual([]);
  });
});

describe('matrix (harness: the same service path, in-process)', () => {
  const { run } = session;
  const deliveries = (h: Harness) => h.deliveries.map((d) => d.outcome);

  it('with an access token: no login, the room id encoded, Authorization: Bearer', async () => {
    homeserver = await FakeHomeserver.start({ tokens: { [TOKEN]: '@bot:example.org' } });
    await run({}, [fixture('fail.new'), fixture('fail.finished')]);
    expect(homeserver.server.requests.map((r) => r.method)).toEqual(['PUT', 'PUT']);
    expect(homeserver.sends()[0].url).toMatch(
      /^\/_matrix\/client\/v3\/rooms\/!ci%3Aexample\.org\/send\/m\.room\.message\//,
    );
    expect(homeserver.sends()[0].headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(homeserver.shown().map((m) => m.content)).toEqual([finishedFail]);
  });

  it('M_UNKNOWN_TOKEN: logs in again once, as the same device, and sends', async () => {
    homeserver = await FakeHomeserver.start({ user: 'bot', password: PASSWORD });
    const h = await run({ accessToken: undefined, user: 'bot', password: PASSWORD }, [fixture('fail.new')]);
    homeserver.forgetTokens();
    await h.emit(fixture('fail.finished'));
    await h.drain();
    const logins = homeserver.server.matching('POST', '/_matrix/client/v3/login').map((r) => JSON.parse(r.body));
    expect(logins).toHaveLength(2);
    expect(logins[1]).toMatchObject({ device_id: 'BBRDEVICE' });
    expect(homeserver.timeline.map((e) => e.content)).toEqual([startedFail, editOf('$event1')]);
  });

  it('M_UNKNOWN_TOKEN with a given token and no password fails for good, saying so', async () => {
    homeserver = await FakeHomeserver.start({ tokens: {} });
    const h = await run({}, [fixture('fail.finished')]);
    expect(deliveries(h)).toMatchObject([{ status: 'failed', attempts: 1 }]);
    expect(h.deliveries[0].outcome.reason).toContain('answered 401 M_UNKNOWN_TOKEN: Unknown access token');
    expect(h.logs.join('\n')).not.toContain(TOKEN);
  });

  it('a hostile builder name is escaped text: no tag, no link, no @room ping (m.mentions is empty)', async () => {
    homeserver = await FakeHomeserver.start({ tokens: { [TOKEN]: '@bot:example.org' } });
    const hostile = `<img src=x onerror=alert(1)><a href="javascript:x">@room</a> & "q"`;
    const event = fixture('fail.finished');
    (event.builder as { name: string }).name = hostile;
    event.url = 'javascript:alert(1)';
    await run({}, [event]);
    const [content] = homeserver.timeline.map((e) => e.content);
    expect(contentProblems(content)).toEqual([]);
    expect(content.formatted_body).toContain(
      '&lt;img src=x onerror=alert(1)&gt;&lt;a href=&quot;javascript:x&quot;&gt;@room&lt;/a&gt; &amp; &quot;q&quot;',
    );
    expect(content.formatted_body).not.toContain('<a');
    expect(content.body).toContain(hostile);
    expect(content['m.mentions']).toEqual({});
  });

  it('a message formatter: its HTML is the HTML body, its text the fallback', async () => {
    homeserver = await FakeHomeserver.start({ tokens: { [TOKEN]: '@bot:example.org' } });
    await run(
      {
        started: false,
        messageFormatter: { template_type: 'html', template: '<p><b><%= buildername %></b> broke</p>' },
      },
      [fixture('fail.new'), fixture('fail.finished')],
    );
    expect(homeserver.timeline.map((e) => e.content)).toEqual([
      {
        msgtype: 'm.notice',
        body: 'fail broke',
        format: 'org.matrix.custom.html',
        formatted_body: '<p><b>fail</b> broke</p>',
        'm.mentions': {},
      },
    ]);
  });

  it('a formatter output too long for an event is cut: text and HTML within the byte budget, the event under 64 KiB', async () => {
    homeserver = await FakeHomeserver.start({ tokens: { [TOKEN]: '@bot:example.org' } });
    const h = await run({ messageFormatter: { template: '<%= "é&".repeat(100000) %>' } }, [
      fixture('fail.new'),
      fixture('fail.finished'),
    ]);
    expect(deliveries(h).map((d) => d.status)).toEqual(['sent', 'sent']);
    const edit = homeserver.timeline[1].content as { body: string; formatted_body: string };
    expect(Buffer.byteLength(edit.body)).toBeLessThanOrEqual(15_002);
    expect(edit.body.endsWith('…')).toBe(true);
    expect(contentProblems(edit)).toEqual([]);
    expect(Buffer.byteLength(homeserver.sends()[1].body)).toBeLessThan(65_536);
  });

  it('messages of several builds arrive in order, also around a rate limit', async () => {
    homeserver = await FakeHomeserver.start({ tokens: { [TOKEN]: '@bot:example.org' } });
    homeserver.limitNextSend = 100;
    await run({}, [fixture('fail.new'), fixture('pass.new'), fixture('fail.finished'), fixture('pass.finished')]);
    expect(
      homeserver.timeline.map(
        (e) =>
          (e.content['m.new_content'] ? 'edit ' : '') + (e.content.body as string).split('\n')[0].replace(/^\* /, ''),
      ),
    ).toEqual([
      '🔄 Build #1 of fail started',
      '🔄 Build #1 of pass started',
      'edit ❌ Build #1 of fail failed',
      'edit ✅ Build #1 of pass completed successfully',
    ]);
  });

  it('a room id from the directory that would leave the room path is refused: no request carries the token there', async () => {
    homeserver = await FakeHomeserver.start({ tokens: { [TOKEN]: '@bot:example.org' } });
    homeserver.rooms.set('#ci:example.org', '..');
    const h = await run({ room: '#ci:example.org' }, [fixture('fail.finished')]);
    expect(homeserver.sends()).toEqual([]);
    expect(deliveries(h)).toMatchObject([{ status: 'failed', attempts: 1 }]);
    expect(h.deliveries[0].outcome.reason).toContain('cannot be a segment of a URL path');
  });
});
