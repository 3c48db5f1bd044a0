/**
 * @bbreporters/bitbucket against a real loopback HTTP server playing Bitbucket Cloud: the OAuth2
 * client-credentials token (form-encoded, Basic auth), cached until it expires and fetched again
 * once on 401, and the build-status requests exactly as bitbucket.md §4 says.
 */
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { checkConfig } from '@bbreporters/core';
import {
  createHarness,
  fixture,
  type Harness,
  type RecordedRequest,
  RecordingServer,
  type Reply,
} from '@bbreporters/core/testing';

import { describe, expect, it } from 'vitest';
import { reporterSession, quickDelivery } from './support/reporter-session.js';
import { buildEvents, SHA, withStamps } from './support/http-status-fixtures.js';

const plugin = fileURLToPath(new URL('../plugins/bitbucket', import.meta.url));
const KEY = 'consumer-key-31';
const SECRET = 'consumer-secret-8842';
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const REPO = { repository: 'git@bitbucket.org:user/repo.git', revision: SHA, branch: 'main' };
const STATUS_PATH = `/2.0/repositories/user/repo/commit/${SHA}/statuses/build`;

let server: RecordingServer;
const session = reporterSession({
  plugin,
  server: () => server,
  options: () => ({
    oauth_key: KEY,
    oauth_secret: SECRET,
    base_url: `${server.url}/2.0/repositories`,
    oauth_url: `${server.url}/site/oauth2/access_token`,
  }),
});
const { run } = session;

/** Bitbucket: hands out tok-1, tok-2, …; accepts statuses only with a token it has not revoked. */
function bitbucket(settings: { expiresIn?: number; revoked?: Set<string>; oauth?: Reply } = {}) {
  let issued = 0;
  return (request: RecordedRequest): Reply => {
    if (request.url === '/site/oauth2/access_token') {
      if (settings.oauth) return settings.oauth;
      const ok =
        request.headers.authorization === basic(KEY, SECRET) &&
        request.body === 'grant_type=client_credentials' &&
        request.headers['content-type'] === 'application/x-www-form-urlencoded';
      return ok
        ? {
            status: 200,
            body: { access_token: `tok-${++issued}`, token_type: 'bearer', expires_in: settings.expiresIn ?? 7200 },
          }
        : { status: 400, body: { error: 'invalid_client' } };
    }
    const token = request.headers.authorization?.replace(/^Bearer /, '') ?? '';
    if (!token.startsWith('tok-') || settings.revoked?.has(token))
      return { status: 401, body: { type: 'error', error: { message: 'Access token expired.' } } };
    return { status: 201, body: {} };
  };
}

const statusPosts = () => server.requests.filter((r) => r.url.endsWith('/statuses/build'));
const tokenPosts = () => server.requests.filter((r) => r.url === '/site/oauth2/access_token');
const bodies = () => statusPosts().map((r) => JSON.parse(r.body) as Record<string, unknown>);
/** What core logged for each delivery with `msg` (`delivery sent`, `delivery failed`): the outcomes. */
const logged = (h: Harness, msg: string) =>
  h.logs
    .map((line) => JSON.parse(line) as { msg: string; delivery?: { target: string; reason?: string } })
    .filter((l) => l.msg === msg)
    .map((l) => l.delivery);

describe('bitbucket', () => {
  it('gets one OAuth token (form-encoded, Basic key:secret), then posts INPROGRESS and SUCCESSFUL with it', async () => {
    server = await RecordingServer.start(bitbucket());
    const h = await run({}, buildEvents('pass', [REPO]));
    expect(server.requests.map((r) => [r.method, r.url])).toEqual([
      ['POST', '/site/oauth2/access_token'],
      ['POST', STATUS_PATH],
      ['POST', STATUS_PATH],
    ]);
    expect(tokenPosts()[0]).toMatchObject({
      body: 'grant_type=client_credentials',
      headers: { authorization: basic(KEY, SECRET), 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(statusPosts().map((r) => [r.headers.authorization, r.headers['content-type']])).toEqual([
      ['Bearer tok-1', 'application/json'],
      ['Bearer tok-1', 'application/json'],
    ]);
    const url = fixture('pass.new').url;
    expect(bodies()).toEqual([
      { state: 'INPROGRESS', key: 'pass', name: 'pass', url },
      { state: 'SUCCESSFUL', key: 'pass', name: 'pass', url },
    ]);
    expect(h.logs.join('\n')).not.toMatch(new RegExp(`${SECRET}|tok-1"`));
  });

  it.each(['fail', 'warn', 'cancel'] as const)('a %s build ends as FAILED (every result but SUCCESS)', async (name) => {
    server = await RecordingServer.start(bitbucket());
    await run({}, buildEvents(name, [REPO]));
    expect(bodies().map((b) => b.state)).toEqual(['INPROGRESS', 'FAILED']);
  });

  it('the token is reused until it expires, then fetched again', async () => {
    server = await RecordingServer.start(bitbucket({ expiresIn: 61 })); // 61 s minus the 60 s margin: one second
    await run({}, [withStamps('pass.new', [REPO]), withStamps('fail.new', [REPO])]);
    expect(tokenPosts()).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await session.current()!.emit(withStamps('warn.new', [REPO]));
    await session.current()!.drain();
    expect(tokenPosts()).toHaveLength(2);
    expect(statusPosts().map((r) => r.headers.authorization)).toEqual(['Bearer tok-1', 'Bearer tok-1', 'Bearer tok-2']);
  });

  it('a 401 (token revoked early) fetches a new token once and the status arrives with it', async () => {
    const revoked = new Set<string>();
    server = await RecordingServer.start(bitbucket({ revoked }));
    await run({}, [withStamps('pass.new', [REPO])]);
    revoked.add('tok-1');
    await session.current()!.emit(withStamps('pass.finished', [REPO]));
    await session.current()!.drain();
    expect(
      server.requests.map((r) =>
        `${r.url} ${r.headers.authorization?.startsWith('Bearer') ? r.headers.authorization : ''}`.trim(),
      ),
    ).toEqual([
      '/site/oauth2/access_token',
      `${STATUS_PATH} Bearer tok-1`,
      `${STATUS_PATH} Bearer tok-1`,
      '/site/oauth2/access_token',
      `${STATUS_PATH} Bearer tok-2`,
    ]);
    expect(bodies().at(-1)?.state).toBe('SUCCESSFUL');
    expect(session.current()!.deliveries.map((d) => [d.outcome.status, d.outcome.attempts])).toEqual([
      ['sent', 1],
      ['sent', 1],
    ]);
  });

  it('a second 401 with the fresh token is final: the status is not sent again and again', async () => {
    server = await RecordingServer.start(bitbucket({ revoked: new Set(['tok-1', 'tok-2']) }));
    const h = await run({}, [withStamps('pass.new', [REPO])]);
    expect(tokenPosts()).toHaveLength(2);
    expect(statusPosts()).toHaveLength(2);
    expect(h.deliveries[0].outcome).toMatchObject({ status: 'failed', attempts: 1 });
  });

  it('OAuth refused (400): logged as Buildbot does, no status posted, credentials never shown', async () => {
    server = await RecordingServer.start(bitbucket({ oauth: { status: 400, body: { error: 'invalid_grant' } } }));
    const h = await run({}, [withStamps('pass.new', [REPO])]);
    expect(statusPosts()).toEqual([]);
    expect(h.deliveries[0].outcome).toMatchObject({ status: 'failed', attempts: 1 });
    const logs = h.logs.join('\n');
    expect(logs).toContain('400: unable to authenticate to Bitbucket');
    expect(logs).toContain('invalid_grant');
    expect(logs).not.toContain(SECRET);
  });

  it('the OAuth endpoint failing (503) is retried; the status arrives once a token comes', async () => {
    server = await RecordingServer.start(bitbucket());
    server.queue({ status: 503 });
    const h = await run({}, [withStamps('pass.new', [REPO])]);
    expect(tokenPosts()).toHaveLength(2);
    expect(statusPosts()).toHaveLength(1);
    expect(h.deliveries[0].outcome).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it("a status refused (404) is logged by core with its status and Bitbucket's text", async () => {
    server = await RecordingServer.start((r) =>
      r.url === '/site/oauth2/access_token'
        ? { status: 200, body: { access_token: 'tok-x', expires_in: 7200 } }
        : { status: 404, body: { error: { message: 'Repository not found' } } },
    );
    const h = await run({}, [withStamps('pass.new', [REPO])]);
    const [failed] = logged(h, 'delivery failed');
    expect(failed?.target).toBe(`bitbucket:user/repo@${SHA}:pass`);
    expect(failed?.reason).toContain('404');
    expect(failed?.reason).toContain('Repository not found');
  });

  it('429 with Retry-After and a 500: the status is sent again after the wait and arrives', async () => {
    server = await RecordingServer.start(bitbucket());
    server.answer(bitbucket());
    const h = await createHarness({
      plugin,
      options: {
        oauth_key: KEY,
        oauth_secret: SECRET,
        base_url: `${server.url}/2.0/repositories`,
        oauth_url: `${server.url}/site/oauth2/access_token`,
      },
      delivery: quickDelivery,
    });
    session.track(h);
    server.queue(
      { status: 200, body: { access_token: 'tok-1', expires_in: 7200 } },
      { status: 429, headers: { 'retry-after': '1' } },
      { status: 500 },
    );
    await h.emit(withStamps('pass.new', [REPO]));
    await h.drain();
    expect(statusPosts()).toHaveLength(3);
    expect(statusPosts()[1].at - statusPosts()[0].at).toBeGreaterThanOrEqual(950);
    expect(h.deliveries[0].outcome).toMatchObject({ status: 'sent', attempts: 3 });
  });

  it.each([
    'git@bitbucket.com:user/repo.git',
    'git@bitbucket.com:user/repo',
    'https://bitbucket.com/user/repo.git',
    'https://bitbucket.com/user/repo',
    'ssh://git@bitbucket.com/user/repo.git',
    'ssh://git@bitbucket.com/user/repo',
    'https://api.bitbucket.org/2.0/repositories/user/repo',
  ])('repository %s posts to user/repo', async (repository) => {
    server = await RecordingServer.start(bitbucket());
    await run({}, [withStamps('pass.new', [{ repository, revision: SHA }])]);
    expect(statusPosts().map((r) => r.url)).toEqual([STATUS_PATH]);
  });

  it('empty repository: logged, nothing posted; forced build without revision: nothing at all', async () => {
    server = await RecordingServer.start(bitbucket());
    const h = await run({}, [withStamps('pass.new', [{ repository: '', revision: SHA }]), fixture('fail.new')]);
    expect(server.requests).toEqual([]);
    expect(h.logs.join('\n')).toContain('Empty repository URL for Bitbucket status');
  });

  it('several source stamps: one status per stamp with a revision', async () => {
    server = await RecordingServer.start(bitbucket());
    await run({}, [
      withStamps('pass.new', [
        { repository: 'https://bitbucket.org/a/one', revision: 'a1a1' },
        { repository: 'https://bitbucket.org/a/two', revision: null },
        { repository: 'https://bitbucket.org/a/three', revision: 'c3c3' },
      ]),
    ]);
    expect(
      statusPosts()
        .map((r) => r.url)
        .sort(),
    ).toEqual([
      '/2.0/repositories/a/one/commit/a1a1/statuses/build',
      '/2.0/repositories/a/three/commit/c3c3/statuses/build',
    ]);
  });

  it('status_key, status_name and the descriptions are templates; a key longer than 40 characters is its SHA-1', async () => {
    server = await RecordingServer.start(bitbucket());
    await run(
      {
        status_key: '<%= buildername %>/<%= build.number %>',
        status_name: '<%= buildername %>-<%= build.number %>',
        startDescription: '<%= status_detected %>',
        endDescription: '<%= summary %>',
      },
      buildEvents('pass', [REPO]),
    );
    const number = fixture('pass.new').number as number;
    expect(bodies().map((b) => [b.key, b.name, b.description])).toEqual([
      [`pass/${number}`, `pass-${number}`, 'not finished build'],
      [`pass/${number}`, `pass-${number}`, 'Build succeeded!'],
    ]);
    await session.current()!.close();
    const long = 'k'.repeat(41);
    await run({ status_key: long }, [withStamps('pass.new', [REPO])]);
    expect(bodies().at(-1)?.key).toBe(createHash('sha1').update(long).digest('hex'));
  });

  it('builders (core filter) reports only the listed builders', async () => {
    server = await RecordingServer.start(bitbucket());
    await run({ builders: ['fail'] }, [withStamps('pass.new', [REPO]), withStamps('fail.new', [REPO])]);
    expect(bodies().map((b) => b.key)).toEqual(['fail']);
  });

  it('auth (an App Password) sends HTTP Basic and asks for no token', async () => {
    server = await RecordingServer.start(() => ({ status: 201 }));
    const harness = session.track(
      await createHarness({
        plugin,
        options: { auth: { user: 'bb', password: 'app-pass-5123' }, base_url: `${server.url}/2.0/repositories/` },
        delivery: quickDelivery,
      }),
    );
    await harness.emit(withStamps('pass.new', [REPO]));
    await harness.drain();
    expect(server.requests.map((r) => [r.url, r.headers.authorization])).toEqual([
      [STATUS_PATH, basic('bb', 'app-pass-5123')],
    ]);
  });

  it('config: OAuth and an App Password together, or neither, are errors', () => {
    const problems = (options: Record<string, unknown>): string => {
      try {
        checkConfig(
          { reporters: [{ plugin: 'bitbucket', options }] },
          { configDir: fileURLToPath(new URL('..', import.meta.url)) },
        );
        return '';
      } catch (error) {
        return (error as { describe(): string }).describe();
      }
    };
    expect(
      problems({ oauth_key: 'key-1234', oauth_secret: 'secret-1234', auth: { user: 'u', password: 'password-1234' } }),
    ).toMatch(/options\.oauth_key: must not be given together with auth/);
    expect(problems({})).toMatch(/options\.(oauth_key|auth)/);
    expect(problems({ oauth_key: 'k' })).toMatch(/options\.oauth_secret: is required/);
    expect(problems({ oauth_key: 'k', oauth_secret: 's' })).toBe('');
    expect(problems({ oauth_key: 'k', oauth_secret: 's', builders: ['b'] })).toBe('');
  });
});
