/**
 * @bbreporters/github against a real loopback HTTP server that checks every request against
 * GitHub's official OpenAPI description (@octokit/openapi, operation repos/create-commit-status):
 * method, path and body schema. Fed Buildbot 3.7's captured builds.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { createHarness, fixture, type Harness, type RecordedRequest, RecordingServer } from '@bbreporters/core/testing';

import { beforeAll, describe, expect, it } from 'vitest';
import { reporterSession, quickDelivery } from './support/reporter-session.js';
import { buildEvents, SHA, withStamps } from './support/http-status-fixtures.js';
import { githubOperation, type OperationCheck } from './support/openapi-operation.js';

const plugin = fileURLToPath(new URL('../plugins/github', import.meta.url));
const TOKEN = 'ghp-test-token-5581';
const REPO = { repository: 'https://github.com/acme/widgets.git', revision: SHA, branch: 'main' };

let operation: OperationCheck;

/** repos/create-commit-status from GitHub's description. */
beforeAll(() => {
  operation = githubOperation(
    createRequire(import.meta.url)('@octokit/openapi/generated/api.github.com.deref.json'),
    'repos/create-commit-status',
  );
});

const openApiProblems = (request: RecordedRequest, prefix = '') => operation.problems(request, prefix);

let server: RecordingServer;
const session = reporterSession({
  plugin,
  server: () => server,
  options: () => ({ token: TOKEN, baseURL: server.url }),
});
const { run } = session;

const bodies = () => server.requests.map((r) => JSON.parse(r.body) as Record<string, unknown>);
/** What core logged for each delivery with `msg` (`delivery sent`, `delivery failed`): the outcomes. */
const logged = (h: Harness, msg: string) =>
  h.logs
    .map((line) => JSON.parse(line) as { msg: string; delivery?: { target: string; reason?: string } })
    .filter((l) => l.msg === msg)
    .map((l) => l.delivery);

describe('github', () => {
  it('start then end of a passing build: pending then success, exactly the request GitHub documents', async () => {
    server = await RecordingServer.start();
    await run({}, buildEvents('pass', [REPO]));
    expect(server.requests.map((r) => openApiProblems(r))).toEqual([[], []]);
    expect(server.requests.map((r) => [r.method, r.url])).toEqual([
      ['POST', `/repos/acme/widgets/statuses/${SHA}`],
      ['POST', `/repos/acme/widgets/statuses/${SHA}`],
    ]);
    const url = fixture('pass.new').url;
    expect(bodies()).toEqual([
      { state: 'pending', target_url: url, description: 'Build started.', context: 'buildbot/pass' },
      { state: 'success', target_url: url, description: 'Build done.', context: 'buildbot/pass' },
    ]);
    expect(server.requests[0].headers).toMatchObject({ authorization: `token ${TOKEN}`, 'user-agent': 'Buildbot' });
  });

  it.each([
    ['fail', 'failure'],
    ['warn', 'success'],
    ['cancel', 'error'],
  ] as const)('a %s build ends as %s', async (name, state) => {
    server = await RecordingServer.start();
    await run({}, buildEvents(name, [REPO]));
    expect(server.requests.map((r) => openApiProblems(r))).toEqual([[], []]);
    expect(bodies().map((b) => b.state)).toEqual(['pending', state]);
  });

  it('a real change build (captured with repository and revision) is reported for its commit', async () => {
    server = await RecordingServer.start();
    const events = [fixture('change-fail.new'), fixture('change-fail.finished')];
    for (const e of events)
      (e.buildset as { sourcestamps: Array<{ repository: string }> }).sourcestamps[0].repository =
        'git@github.com:acme/bbharness.git';
    await run({}, events);
    const sha = (fixture('change-fail.new').buildset as { sourcestamps: Array<{ revision: string }> }).sourcestamps[0]
      .revision;
    expect(server.requests.map((r) => r.url)).toEqual([
      `/repos/acme/bbharness/statuses/${sha}`,
      `/repos/acme/bbharness/statuses/${sha}`,
    ]);
    expect(bodies().map((b) => b.state)).toEqual(['pending', 'failure']);
  });

  it('a forced build without revision sends nothing', async () => {
    server = await RecordingServer.start();
    const h = await run({}, [fixture('pass.new'), fixture('pass.finished')]);
    expect(server.requests).toEqual([]);
    expect(h.deliveries).toEqual([]);
  });

  it('several source stamps: one status per stamp with a revision, each for its own repository', async () => {
    server = await RecordingServer.start();
    await run(
      {},
      buildEvents('pass', [
        { repository: 'https://github.com/acme/one', revision: 'a1a1' },
        { repository: 'https://github.com/acme/two', revision: null, branch: 'branch2' },
        { project: 'other/three', repository: 'https://example.org/ignored', revision: 'c3c3' },
      ]),
    );
    expect(server.requests.map((r) => openApiProblems(r))).toEqual([[], [], [], []]);
    expect(server.requests.map((r) => `${r.url} ${(JSON.parse(r.body) as { state: string }).state}`).sort()).toEqual([
      '/repos/acme/one/statuses/a1a1 pending',
      '/repos/acme/one/statuses/a1a1 success',
      '/repos/other/three/statuses/c3c3 pending',
      '/repos/other/three/statuses/c3c3 success',
    ]);
  });

  it.each([
    ['https://github.com/buildbot1/buildbot1.git', '/repos/buildbot1/buildbot1/'],
    ['git@github.com:buildbot2/buildbot2.git', '/repos/buildbot2/buildbot2/'],
    ['ssh://git@github.com:2222/owner/repo.git', '/repos/owner/repo/'],
    ['https://github.com/acme/widgets', '/repos/acme/widgets/'],
  ])('repository %s posts to %s…', async (repository, path) => {
    server = await RecordingServer.start();
    await run({}, [withStamps('pass.new', [{ repository, revision: SHA, project: 'buildbot' }])]);
    expect(server.requests.map((r) => r.url)).toEqual([`${path}statuses/${SHA}`]);
  });

  it("a repository that names no owner is skipped with Buildbot's log line", async () => {
    server = await RecordingServer.start();
    const h = await run({}, [withStamps('pass.new', [{ repository: 'https://example.org/repo', revision: SHA }])]);
    expect(server.requests).toEqual([]);
    // Logged at info, and on the outcome: `preview` prints it.
    const logged = h.logs.map((l) => JSON.parse(l) as { level: number; msg: string });
    expect(logged).toContainEqual(
      expect.objectContaining({
        level: 30,
        msg: 'no delivery: source stamp https://example.org/repo names no GitHub owner/repo (in its repository URL, or a project written owner/repo). Skipped status update because required repo information is missing.',
      }),
    );
  });

  it("context, startDescription and endDescription are templates; a long description is cut to GitHub's 140 characters", async () => {
    server = await RecordingServer.start();
    const long = `${'x'.repeat(150)}`;
    await run(
      {
        context: 'ci/<%= buildername %>/<%= prop("branch") %>',
        startDescription: 'started <%= buildername %>',
        endDescription: long,
      },
      buildEvents('warn', [REPO], { branch: 'main' }),
    );
    expect(server.requests.map((r) => openApiProblems(r))).toEqual([[], []]);
    const [started, finished] = bodies();
    expect(started).toMatchObject({ context: 'ci/warn/main', description: 'started warn' });
    expect(finished.context).toBe('ci/warn/main');
    expect(Array.from(finished.description as string)).toHaveLength(140);
    expect(finished.description).toBe(`${'x'.repeat(139)}…`);
  });

  it('baseURL of GitHub Enterprise keeps its /api/v3 path (trailing slash ignored)', async () => {
    server = await RecordingServer.start();
    await run({ baseURL: `${server.url}/api/v3/` }, [withStamps('pass.new', [REPO])]);
    expect(server.requests.map((r) => r.url)).toEqual([`/api/v3/repos/acme/widgets/statuses/${SHA}`]);
    expect(openApiProblems(server.requests[0], '/api/v3')).toEqual([]);
  });

  it('verbose logs each update; core logs each status sent, naming its repository, commit and context', async () => {
    server = await RecordingServer.start();
    const h = await run({ verbose: true }, [withStamps('pass.new', [REPO])]);
    expect(h.logs.join('\n')).toContain('Updating github status: repo_owner=acme, repo_name=widgets');
    expect(logged(h, 'delivery sent')).toMatchObject([{ target: `github:acme/widgets@${SHA}:buildbot/pass` }]);
  });

  it('builders (core filter) reports only the listed builders', async () => {
    server = await RecordingServer.start();
    await run({ builders: ['fail'] }, [...buildEvents('pass', [REPO]), ...buildEvents('fail', [REPO])]);
    expect(bodies().map((b) => b.context)).toEqual(['buildbot/fail', 'buildbot/fail']);
  });

  it('429 with Retry-After: the status is sent again only after the wait, and arrives', async () => {
    server = await RecordingServer.start();
    server.queue({ status: 429, headers: { 'retry-after': '1' }, body: { message: 'API rate limit exceeded' } });
    const h = await run({}, [withStamps('pass.new', [REPO])]);
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1].at - server.requests[0].at).toBeGreaterThanOrEqual(950);
    expect(h.deliveries[0].outcome).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('an end that supersedes a start held by Retry-After waits too: nothing is sent before GitHub allows', async () => {
    server = await RecordingServer.start();
    server.queue({ status: 429, headers: { 'retry-after': '1' } });
    const harness = session.track(
      await createHarness({ plugin, options: { token: TOKEN, baseURL: server.url }, delivery: quickDelivery }),
    );
    const [started, finished] = buildEvents('pass', [REPO]);
    await harness.emit(started);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await harness.emit(finished);
    await harness.drain();
    expect(bodies().map((b) => b.state)).toEqual(['pending', 'success']);
    expect(server.requests[1].at - server.requests[0].at).toBeGreaterThanOrEqual(950);
    expect(harness.deliveries.map((d) => d.outcome.status)).toEqual(['superseded', 'sent']);
  });

  it('403 with X-RateLimit-Remaining 0 waits for the reset; 500s are retried', async () => {
    server = await RecordingServer.start();
    const reset = Math.ceil(Date.now() / 1000) + 1;
    server.queue(
      { status: 403, headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) } },
      { status: 500 },
      { status: 502 },
    );
    const h = await run({}, [withStamps('pass.new', [REPO])]);
    expect(server.requests).toHaveLength(4);
    expect(server.requests[1].at).toBeGreaterThanOrEqual(reset * 1000 - 50);
    expect(h.deliveries[0].outcome).toMatchObject({ status: 'sent', attempts: 4 });
  });

  it('the end supersedes a start still waiting for a retry: success is the last state GitHub gets', async () => {
    server = await RecordingServer.start();
    server.queue({ status: 503 });
    const h = await createHarness({
      plugin,
      options: { token: TOKEN, baseURL: server.url },
      delivery: { baseDelayMs: 300, maxDelayMs: 300 },
    });
    session.track(h);
    for (const e of buildEvents('pass', [REPO])) await h.emit(e);
    await h.drain();
    expect(
      bodies()
        .map((b) => b.state)
        .at(-1),
    ).toBe('success');
    expect(h.deliveries.map((d) => d.outcome.status).sort()).toEqual(['sent', 'superseded']);
  });

  it('a 422 is final, logged by core with the status, the context and the body; the token never shows', async () => {
    server = await RecordingServer.start(() => ({ status: 422, body: { message: `Validation Failed for ${TOKEN}` } }));
    const h = await run({}, [withStamps('pass.new', [REPO])]);
    expect(h.deliveries[0].outcome).toMatchObject({ status: 'failed', attempts: 1 });
    const [failed] = logged(h, 'delivery failed');
    expect(failed?.target).toBe(`github:acme/widgets@${SHA}:buildbot/pass`);
    expect(failed?.reason).toContain('422');
    expect(failed?.reason).toContain('Validation Failed for ********');
    expect(h.logs.join('\n')).not.toContain(TOKEN);
  });
});

describe('the OpenAPI check itself', () => {
  it('rejects what GitHub would refuse: an unknown state, a wrong path, a GET', () => {
    const bad = (method: string, url: string, body: unknown): RecordedRequest => ({
      method,
      url,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      at: 0,
    });
    expect(openApiProblems(bad('POST', `/repos/acme/widgets/statuses/${SHA}`, { state: 'warning' }))).not.toEqual([]);
    expect(openApiProblems(bad('POST', `/repos/acme/statuses/${SHA}`, { state: 'success' }))).not.toEqual([]);
    expect(openApiProblems(bad('GET', `/repos/acme/widgets/statuses/${SHA}`, { state: 'success' }))).not.toEqual([]);
    expect(openApiProblems(bad('POST', `/repos/acme/widgets/statuses/${SHA}`, { state: 'success' }))).toEqual([]);
  });
});
