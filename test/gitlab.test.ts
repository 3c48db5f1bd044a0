/**
 * @bbreporters/gitlab against a real loopback HTTP server playing GitLab's API v4: the project
 * lookup (once per repository), the status requests (method, path, headers, body exactly as
 * gitlab.md §4 says), each result's state, and what happens when GitLab says no.
 */
import { fileURLToPath } from 'node:url';
import { fixture, type Harness, type RecordedRequest, RecordingServer } from '@bbreporters/core/testing';
import { describe, expect, it } from 'vitest';
import { reporterSession } from './support/reporter-session.js';
import { buildEvents, SHA, withStamps } from './support/http-status-fixtures.js';

const plugin = fileURLToPath(new URL('../plugins/gitlab', import.meta.url));
const TOKEN = 'glpat-test-7734';

let server: RecordingServer;
const session = reporterSession({
  plugin,
  server: () => server,
  options: () => ({ token: TOKEN, baseURL: server.url }),
});
const { run } = session;

/** GitLab: known projects by full path, statuses accepted with 201. */
function gitlab(projects: Record<string, number> = { 'buildbot/buildbot': 1 }) {
  return (request: RecordedRequest) => {
    const lookup = /^\/api\/v4\/projects\/([^/]+)$/.exec(request.url);
    if (request.method === 'GET' && lookup) {
      const id = projects[decodeURIComponent(lookup[1])];
      return id === undefined
        ? { status: 404, body: { message: '404 Project Not Found' } }
        : { status: 200, body: { id, path_with_namespace: decodeURIComponent(lookup[1]) } };
    }
    return { status: 201, body: { id: 99 } };
  };
}

const REPO = { repository: 'http://gitlab/buildbot/buildbot', revision: SHA, branch: 'master' };
const posts = () => server.requests.filter((r) => r.method === 'POST');
const bodies = () => posts().map((r) => JSON.parse(r.body) as Record<string, unknown>);
/** What core logged for each delivery with `msg` (`delivery sent`, `delivery failed`): the outcomes. */
const logged = (h: Harness, msg: string) =>
  h.logs
    .map((line) => JSON.parse(line) as { msg: string; delivery?: { target: string; reason?: string } })
    .filter((l) => l.msg === msg)
    .map((l) => l.delivery);

describe('gitlab', () => {
  it('looks the project up once, then posts running and success to /api/v4/projects/<id>/statuses/<sha>', async () => {
    server = await RecordingServer.start(gitlab());
    await run({}, buildEvents('pass', [REPO]));
    expect(server.requests.map((r) => [r.method, r.url, r.headers['private-token']])).toEqual([
      ['GET', '/api/v4/projects/buildbot%2Fbuildbot', TOKEN],
      ['POST', `/api/v4/projects/1/statuses/${SHA}`, TOKEN],
      ['POST', `/api/v4/projects/1/statuses/${SHA}`, TOKEN],
    ]);
    expect(posts()[0].headers['content-type']).toBe('application/json');
    const url = fixture('pass.new').url;
    expect(bodies()).toEqual([
      { state: 'running', target_url: url, ref: 'master', description: 'Build started.', name: 'buildbot/pass' },
      { state: 'success', target_url: url, ref: 'master', description: 'Build done.', name: 'buildbot/pass' },
    ]);
  });

  it.each([
    ['fail', 'failed'],
    ['warn', 'success'],
    ['cancel', 'canceled'],
  ] as const)('a %s build ends as %s', async (name, state) => {
    server = await RecordingServer.start(gitlab());
    await run({}, buildEvents(name, [REPO]));
    expect(bodies().map((b) => b.state)).toEqual(['running', state]);
  });

  it('a RETRY build ends as pending (it will run again)', async () => {
    server = await RecordingServer.start(gitlab());
    const retried = withStamps('fail.finished', [REPO]);
    retried.results = 5;
    await run({}, [retried]);
    expect(bodies().map((b) => b.state)).toEqual(['pending']);
  });

  it('the project id is cached per repository across builds; nested groups and SSH URLs are looked up URL-encoded', async () => {
    server = await RecordingServer.start(gitlab({ 'buildbot/buildbot': 1, 'group/sub/project': 7 }));
    await run({}, [
      ...buildEvents('pass', [REPO]),
      ...buildEvents('fail', [{ repository: 'git@gitlab:buildbot/buildbot.git', revision: 'abc0' }]),
      ...buildEvents('warn', [{ repository: 'https://gitlab.example/group/sub/project.git', revision: 'def0' }]),
    ]);
    expect(server.requests.filter((r) => r.method === 'GET').map((r) => r.url)).toEqual([
      '/api/v4/projects/buildbot%2Fbuildbot',
      '/api/v4/projects/group%2Fsub%2Fproject',
    ]);
    expect(
      posts()
        .map((r) => r.url)
        .sort(),
    ).toEqual(
      [
        `/api/v4/projects/1/statuses/${SHA}`,
        `/api/v4/projects/1/statuses/${SHA}`,
        '/api/v4/projects/1/statuses/abc0',
        '/api/v4/projects/1/statuses/abc0',
        '/api/v4/projects/7/statuses/def0',
        '/api/v4/projects/7/statuses/def0',
      ].sort(),
    );
  });

  it('source_project_id (a merge request from a fork) skips the lookup; source_branch is the ref', async () => {
    server = await RecordingServer.start(gitlab());
    await run({}, [withStamps('pass.new', [REPO], { source_project_id: 20922342342, source_branch: 'feature' })]);
    expect(server.requests.map((r) => [r.method, r.url])).toEqual([
      ['POST', `/api/v4/projects/20922342342/statuses/${SHA}`],
    ]);
    expect(bodies()[0].ref).toBe('feature');
  });

  it('an unknown project is logged as Buildbot does and gets no status', async () => {
    server = await RecordingServer.start(gitlab({}));
    const h = await run({}, [withStamps('pass.new', [REPO])]);
    expect(posts()).toEqual([]);
    expect(h.logs.join('\n')).toContain('Unknown (or hidden) gitlab projectbuildbot%2Fbuildbot: 404 Project Not Found');
    expect(h.logs.join('\n')).not.toContain('names no GitLab project');
  });

  it('a forced build without revision, an empty repository, a repository without group: no request', async () => {
    server = await RecordingServer.start(gitlab());
    const h = await run({}, [
      fixture('pass.new'),
      withStamps('fail.new', [{ repository: '', revision: SHA }]),
      withStamps('warn.new', [{ repository: 'https://gitlab.example/lonely', revision: SHA }]),
    ]);
    expect(server.requests).toEqual([]);
    expect(h.logs.join('\n')).toContain('names no GitLab project');
  });

  it('several source stamps: one status per stamp with a revision', async () => {
    server = await RecordingServer.start(gitlab({ 'a/one': 1, 'a/two': 2 }));
    await run({}, [
      withStamps('pass.new', [
        { repository: 'https://gl/a/one', revision: 'a1a1' },
        { repository: 'https://gl/a/two', revision: null },
        { repository: 'https://gl/a/two', revision: 'c3c3', branch: 'b3' },
      ]),
    ]);
    expect(
      posts()
        .map((r) => r.url)
        .sort(),
    ).toEqual(['/api/v4/projects/1/statuses/a1a1', '/api/v4/projects/2/statuses/c3c3']);
  });

  it('context, startDescription and endDescription are templates; baseURL with a path and trailing slash', async () => {
    server = await RecordingServer.start(gitlab());
    await run(
      {
        baseURL: `${server.url}/`,
        context: 'continuous-integration/buildbot',
        startDescription: '<%= buildername %> started',
        endDescription: '<%= summary %>',
      },
      buildEvents('fail', [REPO]),
    );
    expect(bodies().map((b) => [b.name, b.description])).toEqual([
      ['continuous-integration/buildbot', 'fail started'],
      ['continuous-integration/buildbot', "BUILD FAILED: failed 'false' (failure)"],
    ]);
  });

  it('core logs each status sent, naming its project, commit and name', async () => {
    server = await RecordingServer.start(gitlab());
    const h = await run({}, [withStamps('pass.new', [REPO])]);
    expect(logged(h, 'delivery sent')).toMatchObject([{ target: `gitlab:buildbot/buildbot@${SHA}:buildbot/pass` }]);
  });

  it("a status GitLab refuses (404) is logged by core with GitLab's message; the token never shows", async () => {
    server = await RecordingServer.start((r) =>
      r.method === 'GET'
        ? { status: 200, body: { id: 1 } }
        : { status: 404, body: { message: `sha1 not found for branch master ${TOKEN}` } },
    );
    const h = await run({}, [withStamps('pass.new', [REPO])]);
    expect(h.deliveries[0].outcome).toMatchObject({ status: 'failed', attempts: 1 });
    const [failed] = logged(h, 'delivery failed');
    expect(failed?.target).toBe(`gitlab:buildbot/buildbot@${SHA}:buildbot/pass`);
    expect(failed?.reason).toContain('404');
    expect(failed?.reason).toContain('sha1 not found for branch master ********');
    expect(h.logs.join('\n')).not.toContain(TOKEN);
  });

  it('429 with Retry-After and 500s: the status is sent again after the wait and arrives', async () => {
    server = await RecordingServer.start(gitlab());
    server.queue({ status: 200, body: { id: 1 } }, { status: 429, headers: { 'retry-after': '1' } }, { status: 500 });
    const h = await run({}, [withStamps('pass.new', [REPO])]);
    expect(posts()).toHaveLength(3);
    expect(posts()[1].at - posts()[0].at).toBeGreaterThanOrEqual(950);
    expect(h.deliveries[0].outcome).toMatchObject({ status: 'sent', attempts: 3 });
  });

  it('a lookup GitLab cannot answer now (503) posts to the encoded project path, and the next build looks up again', async () => {
    server = await RecordingServer.start(gitlab());
    server.queue({ status: 503 });
    await run({}, [withStamps('pass.new', [REPO]), withStamps('pass.finished', [REPO])]);
    expect(server.requests.map((r) => [r.method, r.url])).toEqual([
      ['GET', '/api/v4/projects/buildbot%2Fbuildbot'],
      ['POST', `/api/v4/projects/buildbot%2Fbuildbot/statuses/${SHA}`],
      ['GET', '/api/v4/projects/buildbot%2Fbuildbot'],
      ['POST', `/api/v4/projects/1/statuses/${SHA}`],
    ]);
  });
});
