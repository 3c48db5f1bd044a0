/**
 * @bbreporters/github-comment against a real loopback HTTP server that checks every request against
 * GitHub's official OpenAPI description (@octokit/openapi, operation issues/create-comment): method,
 * path and body schema. Fed Buildbot 3.7's captured builds, made pull-request builds through their
 * `branch` (refs/pull/<n>/head) or `pullrequesturl` property.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { fixture, type Harness, type RecordedRequest, RecordingServer } from '@bbreporters/core/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { reporterSession } from './support/reporter-session.js';
import { buildEvents, SHA, withStamps } from './support/http-status-fixtures.js';
import { githubOperation, type OperationCheck } from './support/openapi-operation.js';

const plugin = fileURLToPath(new URL('../plugins/github-comment', import.meta.url));
const TOKEN = 'ghp-comment-token-7731';
const REPO = { repository: 'https://github.com/acme/widgets.git', revision: SHA, branch: 'refs/pull/7/head' };
const PR7 = { branch: 'refs/pull/7/head' };

let operation: OperationCheck;
beforeAll(() => {
  operation = githubOperation(
    createRequire(import.meta.url)('@octokit/openapi/generated/api.github.com.deref.json'),
    'issues/create-comment',
  );
});

let server: RecordingServer;
const session = reporterSession({
  plugin,
  server: () => server,
  options: () => ({ token: TOKEN, baseURL: server.url }),
});
const { run } = session;

const comments = () => server.requests.map((r) => (JSON.parse(r.body) as { body: string }).body);
const problems = (prefix = '') => server.requests.map((r) => operation.problems(r, prefix));
const infoLines = (h: Harness) => h.logs.map((l) => JSON.parse(l) as { msg: string }).map((l) => l.msg);

describe('github-comment', () => {
  it('a pull-request build: no comment at the start, `Build done.` at the end, exactly the request GitHub documents', async () => {
    server = await RecordingServer.start();
    const h = await run({}, buildEvents('pass', [REPO], PR7));
    expect(problems()).toEqual([[]]);
    expect(server.requests.map((r) => [r.method, r.url])).toEqual([['POST', '/repos/acme/widgets/issues/7/comments']]);
    expect(comments()).toEqual(['Build done.']);
    expect(server.requests[0].headers).toMatchObject({ authorization: `token ${TOKEN}`, 'user-agent': 'Buildbot' });
    expect(infoLines(h)).toContain(
      'no delivery: no startDescription: no comment when a build starts (the default, as in Buildbot)',
    );
  });

  it.each([
    [{ branch: 'refs/pull/12/merge' }, 12],
    [{ branch: 'refs/heads/main', pullrequesturl: 'https://github.com/acme/widgets/pull/9' }, 9],
  ])('the pull request from %j is #%i', async (properties, issue) => {
    server = await RecordingServer.start();
    await run({}, [withStamps('fail.finished', [{ ...REPO, branch: 'x' }], properties)]);
    expect(problems()).toEqual([[]]);
    expect(server.requests.map((r) => r.url)).toEqual([`/repos/acme/widgets/issues/${issue}/comments`]);
  });

  it("a build of no pull request gets no comment, with Buildbot's reason on the outcome", async () => {
    server = await RecordingServer.start();
    const h = await run({}, [withStamps('pass.finished', [REPO], { branch: 'main' })]);
    expect(server.requests).toEqual([]);
    expect(h.deliveries).toEqual([]);
    expect(infoLines(h).join('\n')).toContain(
      'Skipped status update for source stamp https://github.com/acme/widgets.git as issue is not specified',
    );
  });

  it('a forced build without revision sends nothing', async () => {
    server = await RecordingServer.start();
    const h = await run({}, [fixture('pass.new'), fixture('pass.finished')]);
    expect(server.requests).toEqual([]);
    expect(h.deliveries).toEqual([]);
  });

  it('startDescription and endDescription are templates; both comments arrive, in order, even when the first needs a retry', async () => {
    server = await RecordingServer.start();
    server.queue({ status: 502 });
    const h = await run(
      {
        startDescription: 'Build <%= buildername %> started.',
        endDescription: '**<%= buildername %>**: <%= summary %>',
      },
      buildEvents('fail', [REPO], PR7),
    );
    expect(problems()).toEqual([[], [], []]);
    expect(comments()[0]).toBe('Build fail started.');
    expect(comments().slice(1)).toEqual(['Build fail started.', expect.stringMatching(/^\*\*fail\*\*: /)]);
    // A comment never supersedes another: unlike a status, each one is kept.
    expect(h.deliveries.map((d) => d.outcome.status)).toEqual(['sent', 'sent']);
  });

  it("a comment longer than GitHub's 65536 characters is cut, with an ellipsis", async () => {
    server = await RecordingServer.start();
    await run({ endDescription: 'x'.repeat(70_000) }, [withStamps('pass.finished', [REPO], PR7)]);
    expect(problems()).toEqual([[]]);
    expect(comments()[0]).toHaveLength(65536);
    expect(comments()[0].endsWith('…')).toBe(true);
  });

  it('baseURL of GitHub Enterprise keeps its /api/v3 path (trailing slash ignored)', async () => {
    server = await RecordingServer.start();
    await run({ baseURL: `${server.url}/api/v3/` }, [withStamps('pass.finished', [REPO], PR7)]);
    expect(server.requests.map((r) => r.url)).toEqual(['/api/v3/repos/acme/widgets/issues/7/comments']);
    expect(problems('/api/v3')).toEqual([[]]);
  });

  it('several source stamps: one comment per repository (not one per stamp), none for a stamp without revision', async () => {
    server = await RecordingServer.start();
    await run({}, [
      withStamps(
        'pass.finished',
        [
          { repository: 'https://github.com/acme/one', revision: 'a1a1' },
          { repository: 'git@github.com:acme/one.git', revision: 'b2b2', codebase: 'docs' },
          { repository: 'https://github.com/acme/two', revision: null },
          { project: 'other/three', repository: '', revision: 'c3c3' },
        ],
        PR7,
      ),
    ]);
    expect(server.requests.map((r) => r.url).sort()).toEqual([
      '/repos/acme/one/issues/7/comments',
      '/repos/other/three/issues/7/comments',
    ]);
  });

  it('verbose logs each comment; core logs it sent to the pull request', async () => {
    server = await RecordingServer.start();
    const h = await run({ verbose: true }, [withStamps('pass.finished', [REPO], PR7)]);
    expect(infoLines(h)).toContain('Commenting on acme/widgets#7');
    const sent = h.logs
      .map((l) => JSON.parse(l) as { msg: string; delivery?: { target: string } })
      .filter((l) => l.msg === 'delivery sent');
    expect(sent.map((l) => l.delivery?.target)).toEqual(['github-comment:acme/widgets#7']);
  });

  it('429 with Retry-After: the comment is sent again only after the wait, and arrives once', async () => {
    server = await RecordingServer.start();
    server.queue({ status: 429, headers: { 'retry-after': '1' }, body: { message: 'API rate limit exceeded' } });
    const h = await run({}, [withStamps('pass.finished', [REPO], PR7)]);
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1].at - server.requests[0].at).toBeGreaterThanOrEqual(950);
    expect(h.deliveries[0].outcome).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('a 422 is final, logged by core; the token never shows', async () => {
    server = await RecordingServer.start(() => ({ status: 422, body: { message: `Validation Failed for ${TOKEN}` } }));
    const h = await run({}, [withStamps('pass.finished', [REPO], PR7)]);
    expect(h.deliveries[0].outcome).toMatchObject({ status: 'failed', attempts: 1 });
    expect(h.logs.join('\n')).toContain('Validation Failed for ********');
    expect(h.logs.join('\n')).not.toContain(TOKEN);
  });

  it('event data cannot move a comment (and the token) off the configured base; the ordinary stamp is commented', async () => {
    server = await RecordingServer.start();
    const h = await run({ baseURL: `${server.url}/api/base` }, [
      withStamps(
        'pass.finished',
        [
          { repository: 'https://github.com/../..', revision: SHA },
          { repository: 'https://github.com/%2e%2e/%2e%2e', revision: SHA },
          { project: 'acme/..', repository: '', revision: SHA },
          { project: '../x', repository: '', revision: SHA },
          REPO,
        ],
        PR7,
      ),
    ]);
    expect(server.requests.map((r) => r.url)).toEqual(['/api/base/repos/acme/widgets/issues/7/comments']);
    expect(infoLines(h).join('\n')).toContain(
      'Skipped comment: source stamp 3 (no repository): ".." cannot be a segment',
    );
  });
});

describe('the OpenAPI check itself', () => {
  it('rejects what GitHub would refuse: no body, a wrong path, a GET', () => {
    const bad = (method: string, url: string, body: unknown): RecordedRequest => ({
      method,
      url,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      at: 0,
    });
    expect(operation.problems(bad('POST', '/repos/acme/widgets/issues/7/comments', { text: 'x' }))).not.toEqual([]);
    expect(operation.problems(bad('POST', '/repos/acme/issues/7/comments', { body: 'x' }))).not.toEqual([]);
    expect(operation.problems(bad('GET', '/repos/acme/widgets/issues/7/comments', { body: 'x' }))).not.toEqual([]);
    expect(operation.problems(bad('POST', '/repos/acme/widgets/issues/7/comments', { body: 'x' }))).toEqual([]);
  });
});
