/**
 * @bbreporters/bitbucket-server against a real loopback HTTP server playing Bitbucket Server's
 * build-status API: method, path, Basic auth and JSON exactly as stash.md §2 says.
 */
import { fileURLToPath } from 'node:url';
import { fixture, type Harness, RecordingServer } from '@bbreporters/core/testing';
import { describe, expect, it } from 'vitest';
import { reporterSession } from './support/reporter-session.js';
import { buildEvents, SHA, withStamps } from './support/http-status-fixtures.js';

const plugin = fileURLToPath(new URL('../plugins/bitbucket-server', import.meta.url));
const PASSWORD = 'stash-pass-6610';
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const REPO = { repository: 'https://stash.example.com/scm/PRJ/repo.git', revision: SHA, branch: 'master' };
const PATH = `/rest/build-status/1.0/commits/${SHA}`;

let server: RecordingServer;
const session = reporterSession({
  plugin,
  server: () => server,
  options: () => ({ base_url: server.url, user: 'stash_username', password: PASSWORD }),
});
const { run } = session;

const bodies = () => server.requests.map((r) => JSON.parse(r.body) as Record<string, unknown>);
/** What core logged for each delivery with `msg` (`delivery sent`, `delivery failed`): the outcomes. */
const logged = (h: Harness, msg: string) =>
  h.logs
    .map((line) => JSON.parse(line) as { msg: string; delivery?: { target: string; reason?: string } })
    .filter((l) => l.msg === msg)
    .map((l) => l.delivery);

describe('bitbucket-server', () => {
  it('posts INPROGRESS "Build started." then SUCCESSFUL "Build done." with Basic auth to the build-status API', async () => {
    server = await RecordingServer.start(() => ({ status: 204 }));
    const h = await run({}, buildEvents('pass', [REPO]));
    expect(server.requests.map((r) => [r.method, r.url, r.headers.authorization, r.headers['content-type']])).toEqual([
      ['POST', PATH, basic('stash_username', PASSWORD), 'application/json'],
      ['POST', PATH, basic('stash_username', PASSWORD), 'application/json'],
    ]);
    const url = fixture('pass.new').url;
    expect(bodies()).toEqual([
      { state: 'INPROGRESS', key: 'pass', url, description: 'Build started.' },
      { state: 'SUCCESSFUL', key: 'pass', url, description: 'Build done.' },
    ]);
    expect(h.logs.join('\n')).not.toContain(PASSWORD);
  });

  it.each(['fail', 'warn', 'cancel'] as const)('a %s build ends as FAILED', async (name) => {
    server = await RecordingServer.start(() => ({ status: 204 }));
    await run({}, buildEvents(name, [REPO]));
    expect(bodies().map((b) => b.state)).toEqual(['INPROGRESS', 'FAILED']);
  });

  it("base_url with a path and a trailing slash (as the seed's example writes it) keeps the path", async () => {
    server = await RecordingServer.start(() => ({ status: 204 }));
    await run({ base_url: `${server.url}/stash/` }, [withStamps('pass.new', [REPO])]);
    expect(server.requests.map((r) => r.url)).toEqual([`/stash${PATH}`]);
  });

  it('key, statusName and the descriptions are templates; statusName is sent as name', async () => {
    server = await RecordingServer.start(() => ({ status: 204 }));
    await run(
      { key: '<%= buildername %>-<%= build.number %>', statusName: 'Build', endDescription: 'Build finished.' },
      buildEvents('fail', [REPO]),
    );
    const number = fixture('fail.new').number as number;
    expect(bodies().map((b) => [b.key, b.name, b.description])).toEqual([
      [`fail-${number}`, 'Build', 'Build started.'],
      [`fail-${number}`, 'Build', 'Build finished.'],
    ]);
  });

  it('empty descriptions are left out', async () => {
    server = await RecordingServer.start(() => ({ status: 204 }));
    await run({ startDescription: '' }, [withStamps('pass.new', [REPO])]);
    expect(bodies()[0]).not.toHaveProperty('description');
  });

  it('no revision: "Unable to get the commit hash" and no request; several stamps: one status each', async () => {
    server = await RecordingServer.start(() => ({ status: 204 }));
    const h = await run({}, [
      fixture('pass.new'),
      withStamps('fail.new', [
        { ...REPO, revision: 'a1a1' },
        { ...REPO, revision: null },
        { ...REPO, revision: 'c3c3' },
      ]),
    ]);
    expect(server.requests.map((r) => r.url).sort()).toEqual([
      '/rest/build-status/1.0/commits/a1a1',
      '/rest/build-status/1.0/commits/c3c3',
    ]);
    expect(h.logs.join('\n')).toContain('Unable to get the commit hash');
  });

  it('core logs each status sent, naming its repository (any clone URL form), commit and key', async () => {
    server = await RecordingServer.start(() => ({ status: 204 }));
    const h = await run({}, [
      withStamps('pass.new', [REPO]),
      withStamps('fail.new', [{ ...REPO, repository: 'ssh://git@stash.example.com:7999/PRJ/repo.git' }]),
    ]);
    expect(logged(h, 'delivery sent').map((d) => d?.target)).toEqual([
      `bitbucket-server:PRJ/repo@${SHA}:pass`,
      `bitbucket-server:PRJ/repo@${SHA}:fail`,
    ]);
  });

  it('builders (core filter) reports only the listed builders', async () => {
    server = await RecordingServer.start(() => ({ status: 204 }));
    await run({ builders: ['warn'] }, [...buildEvents('pass', [REPO]), ...buildEvents('warn', [REPO])]);
    expect(bodies().map((b) => b.key)).toEqual(['warn', 'warn']);
  });

  it("a 404 is final and logged by core with the status and Bitbucket's text", async () => {
    server = await RecordingServer.start(() => ({ status: 404, body: { errors: [{ message: 'No such commit' }] } }));
    const h = await run({}, [withStamps('pass.new', [REPO])]);
    expect(h.deliveries[0].outcome).toMatchObject({ status: 'failed', attempts: 1 });
    const [failed] = logged(h, 'delivery failed');
    expect(failed?.target).toBe(`bitbucket-server:PRJ/repo@${SHA}:pass`);
    expect(failed?.reason).toContain('404');
    expect(failed?.reason).toContain('No such commit');
  });

  it('429 with Retry-After and a 500: sent again after the wait, and the status arrives', async () => {
    server = await RecordingServer.start(() => ({ status: 204 }));
    server.queue({ status: 429, headers: { 'retry-after': '1' } }, { status: 500 });
    const h = await run({}, [withStamps('pass.new', [REPO])]);
    expect(server.requests).toHaveLength(3);
    expect(server.requests[1].at - server.requests[0].at).toBeGreaterThanOrEqual(950);
    expect(h.deliveries[0].outcome).toMatchObject({ status: 'sent', attempts: 3 });
  });
});
