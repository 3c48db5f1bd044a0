/**
 * @bbreporters/hipchat against a real loopback HTTP server playing a HipChat API v2 server: user
 * messages and room notifications, exactly as hipchat.md §4 says, and the overridable methods as
 * module references.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkConfig } from '@bbreporters/core';
import { fixture, type Harness, RecordingServer } from '@bbreporters/core/testing';
import { describe, expect, it } from 'vitest';
import { reporterSession } from './support/reporter-session.js';

const plugin = fileURLToPath(new URL('../plugins/hipchat', import.meta.url));
const TOKEN = 'hipchat-token-4471';

let server: RecordingServer;
const session = reporterSession({
  plugin,
  server: () => server,
  options: () => ({ auth_token: TOKEN, endpoint: server.url }),
});
const { run } = session;

const sent = () => server.requests.map((r) => [r.method, r.url, JSON.parse(r.body) as unknown]);
/** What core logged for each delivery with `msg` (`delivery sent`, `delivery failed`): the outcomes. */
const logged = (h: Harness, msg: string) =>
  h.logs
    .map((line) => JSON.parse(line) as { msg: string; delivery?: { target: string; reason?: string } })
    .filter((l) => l.msg === msg)
    .map((l) => l.delivery);

describe('hipchat', () => {
  it('a user-mapped builder: private messages at start and end, token as the auth_token query parameter', async () => {
    server = await RecordingServer.start(() => ({ status: 204 }));
    const h = await run({ builder_user_map: { pass: '123' } }, [fixture('pass.new'), fixture('pass.finished')]);
    const url = fixture('pass.new').url as string;
    expect(sent()).toEqual([
      ['POST', `/v2/user/123/message?auth_token=${TOKEN}`, { message: `Buildbot started build pass here: ${url}` }],
      [
        'POST',
        `/v2/user/123/message?auth_token=${TOKEN}`,
        { message: `Buildbot finished build pass with result success here: ${url}` },
      ],
    ]);
    expect(server.requests[0].headers['content-type']).toBe('application/json');
    expect(h.deliveries.map((d) => d.outcome.status)).toEqual(['sent', 'sent']);
    expect(h.logs.join('\n')).not.toContain(TOKEN);
  });

  it.each([
    ['fail', 'failure'],
    ['warn', 'warnings'],
    ['cancel', 'cancelled'],
  ] as const)('a room-mapped %s build: the room notification says "with result %s"', async (name, result) => {
    server = await RecordingServer.start(() => ({ status: 204 }));
    const finished = fixture(`${name}.finished`);
    const builder = (finished.builder as { name: string }).name;
    await run({ builder_room_map: { [builder]: 123 } }, [finished]);
    expect(sent()).toEqual([
      [
        'POST',
        `/v2/room/123/notification?auth_token=${TOKEN}`,
        { message: `Buildbot finished build ${builder} with result ${result} here: ${finished.url as string}` },
      ],
    ]);
  });

  it('a builder in both maps: the same JSON to the user first, then the room; the recipient keys are not in the body', async () => {
    server = await RecordingServer.start(() => ({ status: 204 }));
    await run({ builder_user_map: { pass: 'dev@example.org' }, builder_room_map: { pass: 'Build Room' } }, [
      fixture('pass.new'),
    ]);
    expect(server.requests.map((r) => r.url)).toEqual([
      `/v2/user/dev%40example.org/message?auth_token=${TOKEN}`,
      `/v2/room/Build%20Room/notification?auth_token=${TOKEN}`,
    ]);
    expect(server.requests[0].body).toBe(server.requests[1].body);
    expect(Object.keys(JSON.parse(server.requests[0].body) as object)).toEqual(['message']);
  });

  it('no mapping, or a builder not mapped: nothing is sent', async () => {
    server = await RecordingServer.start(() => ({ status: 204 }));
    const h = await run({ builder_room_map: { other: 1 } }, [fixture('pass.new'), fixture('pass.finished')]);
    expect(server.requests).toEqual([]);
    expect(h.deliveries).toEqual([]);
  });

  it('getRecipientList, getMessage and getExtraParams (module references) replace the defaults; an empty message sends nothing', async () => {
    server = await RecordingServer.start(() => ({ status: 204 }));
    const dir = mkdtempSync(join(tmpdir(), 'bbr-hipchat-'));
    writeFileSync(
      join(dir, 'hooks.mjs'),
      [
        "export const recipients = () => ({ room_id_or_name: 'AllBuildNotifications' });",
        "export const message = async (build, event) => ({ finished: `Build finished: ${build.builder.name} (${Object.keys(build.properties).length} properties)` })[event] ?? '';",
        "export const extra = (build, event) => event === 'finished' ? { color: build.results === 0 ? 'green' : 'red', notify: build.results !== 0, message_format: 'text' } : {};",
      ].join('\n'),
    );
    await run(
      {
        getRecipientList: './hooks.mjs#recipients',
        getMessage: './hooks.mjs#message',
        getExtraParams: './hooks.mjs#extra',
        wantProperties: true,
      },
      [fixture('fail.new'), fixture('fail.finished')],
      { configDir: dir },
    );
    const properties = Object.keys(fixture('fail.finished').properties as object).length;
    expect(sent()).toEqual([
      [
        'POST',
        `/v2/room/AllBuildNotifications/notification?auth_token=${TOKEN}`,
        {
          message: `Build finished: fail (${properties} properties)`,
          color: 'red',
          notify: true,
          message_format: 'text',
        },
      ],
    ]);
  });

  it('without wantProperties the hooks see no properties; endpoint keeps its path, trailing slash ignored', async () => {
    server = await RecordingServer.start(() => ({ status: 204 }));
    const dir = mkdtempSync(join(tmpdir(), 'bbr-hipchat-'));
    writeFileSync(
      join(dir, 'hooks.mjs'),
      'export const message = (build) => `props=${Object.keys(build.properties).length} steps=${"steps" in build}`;\n',
    );
    await run(
      { endpoint: `${server.url}/hipchat/`, builder_room_map: { pass: 1 }, getMessage: './hooks.mjs#message' },
      [fixture('pass.finished')],
      { configDir: dir },
    );
    expect(sent()).toEqual([
      ['POST', `/hipchat/v2/room/1/notification?auth_token=${TOKEN}`, { message: 'props=0 steps=false' }],
    ]);
  });

  it("builders (core filter) applies, unlike Buildbot's HipChat", async () => {
    server = await RecordingServer.start(() => ({ status: 204 }));
    await run({ builder_room_map: { pass: 1, fail: 2 }, builders: ['fail'] }, [
      fixture('pass.new'),
      fixture('fail.new'),
    ]);
    expect(server.requests.map((r) => r.url.split('?')[0])).toEqual(['/v2/room/2/notification']);
  });

  it('a 404 is final and logged by core with its status and destination; the token is masked', async () => {
    server = await RecordingServer.start(() => ({ status: 404, body: { error: { message: 'Room not found' } } }));
    const h = await run({ builder_room_map: { pass: 9 } }, [fixture('pass.new')]);
    expect(h.deliveries[0].outcome).toMatchObject({ status: 'failed', attempts: 1 });
    const [failed] = logged(h, 'delivery failed');
    expect(failed?.target).toBe('hipchat:room:9');
    expect(failed?.reason).toContain('404');
    expect(failed?.reason).toContain('Room not found');
    expect(h.logs.join('\n')).not.toContain(TOKEN);
  });

  it('429 with Retry-After and a 500: both messages still arrive, start before end', async () => {
    server = await RecordingServer.start(() => ({ status: 204 }));
    server.queue({ status: 429, headers: { 'retry-after': '1' } }, { status: 500 });
    const h = await run({ builder_room_map: { pass: 1 } }, [fixture('pass.new'), fixture('pass.finished')]);
    expect(server.requests.map((r) => (JSON.parse(r.body) as { message: string }).message.split(' ')[1])).toEqual([
      'started',
      'started',
      'started',
      'finished',
    ]);
    expect(server.requests[1].at - server.requests[0].at).toBeGreaterThanOrEqual(950);
    expect(h.deliveries.map((d) => d.outcome.status)).toEqual(['sent', 'sent']);
  });

  it('config: auth_token and endpoint must be strings, the maps must be objects, hooks module references', () => {
    const problems = (options: Record<string, unknown>): string => {
      try {
        checkConfig(
          { reporters: [{ plugin: 'hipchat', options }] },
          { configDir: fileURLToPath(new URL('..', import.meta.url)) },
        );
        return '';
      } catch (error) {
        return (error as { describe(): string }).describe();
      }
    };
    expect(problems({ auth_token: 42 })).toMatch(/options\.auth_token: must be string/);
    expect(problems({ auth_token: 'abcd1234', endpoint: 42 })).toMatch(/options\.endpoint: must be string/);
    expect(problems({ auth_token: 'abcd1234', builder_room_map: ['Builder0'] })).toMatch(
      /options\.builder_room_map: must be object/,
    );
    expect(problems({ auth_token: 'abcd1234', builder_user_map: 'Builder0' })).toMatch(
      /options\.builder_user_map: must be object/,
    );
    expect(problems({ auth_token: 'abcd1234', getMessage: 'message' })).toMatch(/options\.getMessage/);
    expect(problems({ auth_token: 'abcd1234', builder_room_map: { b: 1 }, builder_user_map: { b: 'a@b' } })).toBe('');
  });
});
