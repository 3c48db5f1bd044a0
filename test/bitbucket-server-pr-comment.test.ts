/**
 * @bbreporters/bitbucket-server-pr-comment against a real loopback HTTP server playing Bitbucket
 * Server's pull-request comment API (stash.md §3): the PR named by the `pullrequesturl` property
 * gets `{"text": <formatted message>}` with Basic auth; the property is hostile, so a URL on
 * another host or with dot segments never receives a request. Paths as Buildbot's test expects
 * (POST /rest/api/1.0/projects/PRO/repos/myrepo/pull-requests/20/comments); the body is checked
 * against Bitbucket Data Center's API description in bitbucket-server-openapi.test.ts.
 */
import { fileURLToPath } from 'node:url';
import { type Harness, RecordingServer } from '@bbreporters/core/testing';
import { describe, expect, it } from 'vitest';
import { reporterSession } from './support/reporter-session.js';
import { SHA, withStamps } from './support/http-status-fixtures.js';

const plugin = fileURLToPath(new URL('../plugins/bitbucket-server-pr-comment', import.meta.url));
const PASSWORD = 'pr-comment-pass-8812';
const REPO = { repository: 'https://bb.example.com/scm/PRO/myrepo.git', revision: SHA, branch: 'feature' };
const COMMENTS = '/rest/api/1.0/projects/PRO/repos/myrepo/pull-requests/20/comments';

let server: RecordingServer;
const session = reporterSession({
  plugin,
  server: () => server,
  options: () => ({ base_url: server.url, user: 'ci', password: PASSWORD }),
});
const { run } = session;

/** A finished build of the PR at `prUrl` (a path is put on the test server's origin). */
const finished = (name: 'pass' | 'fail' | 'warn', prUrl?: string) =>
  withStamps(`${name}.finished`, [REPO], prUrl === undefined ? {} : { pullrequesturl: onServer(prUrl) });
const onServer = (url: string) => (url.startsWith('/') ? `${server.url}${url}` : url);
const texts = () => server.requests.map((r) => (JSON.parse(r.body) as { text: string }).text);
const skips = (h: Harness) => h.logs.filter((l) => l.includes('no delivery')).join('\n');

describe('bitbucket-server-pr-comment', () => {
  it('posts the formatted message as {"text"} with Basic auth to the PR of pullrequesturl', async () => {
    server = await RecordingServer.start(() => ({ status: 201, body: { id: 1 } }));
    const h = await run({}, [finished('fail', '/projects/PRO/repos/myrepo/pull-requests/20')]);
    expect(server.requests.map((r) => [r.method, r.url, r.headers.authorization, r.headers['content-type']])).toEqual([
      ['POST', COMMENTS, `Basic ${Buffer.from(`ci:${PASSWORD}`).toString('base64')}`, 'application/json'],
    ]);
    expect(Object.keys(JSON.parse(server.requests[0].body) as object)).toEqual(['text']);
    // The default body: Buildbot 3.7's plain mail text.
    expect(texts()[0]).toContain('A failed build has been detected on builder fail');
    expect(h.logs.join('\n')).not.toContain(PASSWORD);
  });

  it('the message formatter is configurable; mode filters like MailNotifier', async () => {
    server = await RecordingServer.start(() => ({ status: 201 }));
    await run({ mode: ['failing'], messageFormatter: { template: '<%= buildername %>: <%= summary %>' } }, [
      finished('pass', '/projects/PRO/repos/myrepo/pull-requests/20'),
      finished('fail', '/projects/PRO/repos/myrepo/pull-requests/20/'),
    ]);
    expect(server.requests.map((r) => r.url)).toEqual([COMMENTS]);
    expect(texts()[0]).toMatch(/^fail: /);
  });

  it('a build without pullrequesturl gets no comment, with the reason', async () => {
    server = await RecordingServer.start(() => ({ status: 201 }));
    const h = await run({}, [finished('pass')]);
    expect(server.requests).toEqual([]);
    expect(skips(h)).toContain('has no pullrequesturl property');
  });

  it.each([
    ['another host', 'https://evil.example/projects/PRO/repos/myrepo/pull-requests/20', 'is not on the configured'],
    ['dot segments', '/projects/PRO/repos/myrepo/pull-requests/20/../../../../../admin', 'path segments'],
    ['encoded dot segments', '/projects/%2e%2e/repos/myrepo/pull-requests/20', 'path segments'],
    ['no pull request path', '/projects/PRO/repos/myrepo/browse', 'is not'],
    ['no URL', 'PRO/myrepo#20', 'no http(s) URL'],
  ])('a pullrequesturl with %s gets no request (credentials stay home)', async (_what, url, reason) => {
    server = await RecordingServer.start(() => ({ status: 201 }));
    const h = await run({}, [finished('fail', url)]);
    expect(server.requests).toEqual([]);
    expect(skips(h)).toContain(reason);
  });

  it('a base_url with a context path: the PR URL must be under it, and the API is under it too', async () => {
    server = await RecordingServer.start(() => ({ status: 201 }));
    await run({ base_url: `${server.url}/bitbucket/` }, [
      finished('fail', '/bitbucket/projects/PRO/repos/myrepo/pull-requests/20'),
      finished('warn', '/projects/PRO/repos/myrepo/pull-requests/21'),
    ]);
    expect(server.requests.map((r) => r.url)).toEqual([`/bitbucket${COMMENTS}`]);
  });

  it('buildSetSummary: one comment per distinct PR of the buildset, none per build', async () => {
    server = await RecordingServer.start(() => ({ status: 201 }));
    const a = finished('pass', '/projects/PRO/repos/myrepo/pull-requests/20');
    const b = finished('fail', '/projects/PRO/repos/myrepo/pull-requests/20');
    const buildset = { ...(b.buildset as object), complete: true, results: 2 };
    await run({ buildSetSummary: true }, [a, b, { event: 'buildsetFinished', payload: { buildset, builds: [a, b] } }]);
    expect(server.requests.map((r) => r.url)).toEqual([COMMENTS]);
    expect(texts()[0]).toContain('builder pass');
    expect(texts()[0]).toContain('builder fail');
  });

  it('comments are not superseded: two builds on one PR give two comments; a 500 is sent again', async () => {
    server = await RecordingServer.start(() => ({ status: 201 }));
    server.queue({ status: 500 });
    const h = await run({}, [
      finished('fail', '/projects/PRO/repos/myrepo/pull-requests/20'),
      finished('warn', '/projects/PRO/repos/myrepo/pull-requests/20'),
    ]);
    expect(server.requests.map((r) => r.url)).toEqual([COMMENTS, COMMENTS, COMMENTS]);
    expect(h.deliveries.map((d) => d.outcome.status)).toEqual(['sent', 'sent']);
  });
});
