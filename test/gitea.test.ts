/**
 * @bbreporters/gitea against a real loopback HTTP server that checks every request against Gitea's
 * API as published in the npm registry (gitea-js: types generated from Gitea's swagger description,
 * operation RepoCreateStatus: method, path, the CreateStatusOption body and nothing else). Fed
 * Buildbot 3.7's captured builds; pull-request builds carry the buildbot-gitea hook's properties.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fixture, type Harness, type RecordedRequest, RecordingServer } from '@bbreporters/core/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { reporterSession } from './support/reporter-session.js';
import { buildEvents, SHA, withStamps } from './support/http-status-fixtures.js';
import { giteaOperation, type OperationCheck } from './support/openapi-operation.js';

const plugin = fileURLToPath(new URL('../plugins/gitea', import.meta.url));
const TOKEN = 'gitea-token-4410';
const HEAD_SHA = 'feedface00112233445566778899aabbccddeeff';
const REPO = { repository: 'git@gitea.example:acme/widgets.git', revision: SHA, branch: 'main' };
const PR = { pr_id: 7, head_owner: 'dora', head_reponame: 'widgets-fork', head_sha: HEAD_SHA, branch: 'feature' };
/** The states Gitea's commit statuses know (models/commitstatus: pending, success, error, failure, warning). */
const GITEA_STATES = ['pending', 'success', 'error', 'failure', 'warning'];

let operation: OperationCheck;
beforeAll(() => {
  const entry = createRequire(import.meta.url).resolve('gitea-js');
  operation = giteaOperation(readFileSync(join(dirname(entry), 'index.d.ts'), 'utf8'), 'RepoCreateStatus');
});

let server: RecordingServer;
const session = reporterSession({
  plugin,
  server: () => server,
  options: () => ({ token: TOKEN, baseURL: server.url }),
});
const { run } = session;

const bodies = () => server.requests.map((r) => JSON.parse(r.body) as Record<string, string>);
const problems = (prefix = '') =>
  server.requests.map((r) => {
    const state = (JSON.parse(r.body) as { state: string }).state;
    return [...operation.problems(r, prefix), ...(GITEA_STATES.includes(state) ? [] : [`state ${state}`])];
  });
const infoLines = (h: Harness) => h.logs.map((l) => (JSON.parse(l) as { msg: string }).msg);

describe('gitea', () => {
  it('start then end of a passing build: pending then success, exactly the request Gitea documents', async () => {
    server = await RecordingServer.start();
    await run({}, buildEvents('pass', [REPO]));
    expect(problems()).toEqual([[], []]);
    expect(server.requests.map((r) => [r.method, r.url])).toEqual([
      ['POST', `/api/v1/repos/acme/widgets/statuses/${SHA}`],
      ['POST', `/api/v1/repos/acme/widgets/statuses/${SHA}`],
    ]);
    const url = fixture('pass.new').url;
    expect(bodies()).toEqual([
      { state: 'pending', target_url: url, description: 'Build started.', context: 'buildbot/pass' },
      { state: 'success', target_url: url, description: 'Build done.', context: 'buildbot/pass' },
    ]);
    expect(server.requests[0].headers.authorization).toBe(`token ${TOKEN}`);
  });

  it.each([
    ['fail', {}, 'failure'],
    ['warn', {}, 'warning'],
    ['warn', { warningAsSuccess: true }, 'success'],
    ['cancel', {}, 'error'],
  ] as const)('a %s build with %j ends as %s', async (name, options, state) => {
    server = await RecordingServer.start();
    await run(options, buildEvents(name, [REPO]));
    expect(problems()).toEqual([[], []]);
    expect(bodies().map((b) => b.state)).toEqual(['pending', state]);
  });

  it("a pull-request build (pr_id) sets the head commit's status in the head repository, under context_pr", async () => {
    server = await RecordingServer.start();
    await run({}, buildEvents('fail', [REPO], PR));
    expect(problems()).toEqual([[], []]);
    expect(server.requests.map((r) => r.url)).toEqual([
      `/api/v1/repos/dora/widgets-fork/statuses/${HEAD_SHA}`,
      `/api/v1/repos/dora/widgets-fork/statuses/${HEAD_SHA}`,
    ]);
    expect(bodies().map((b) => [b.state, b.context])).toEqual([
      ['pending', 'buildbot/pull_request/fail'],
      ['failure', 'buildbot/pull_request/fail'],
    ]);
  });

  it('context and context_pr are templates; the descriptions too', async () => {
    server = await RecordingServer.start();
    const options = {
      context: 'ci/<%= buildername %>',
      context_pr: 'ci/pr/<%= prop("pr_id") %>/<%= buildername %>',
      endDescription: 'done: <%= summary %>',
    };
    await run(options, [withStamps('pass.finished', [REPO]), withStamps('fail.finished', [REPO], PR)]);
    expect(problems()).toEqual([[], []]);
    expect(bodies().map((b) => b.context)).toEqual(['ci/pass', 'ci/pr/7/fail']);
    expect(bodies()[0].description).toMatch(/^done: /);
  });

  it("a pull-request build without the head's properties is skipped, saying which are needed", async () => {
    server = await RecordingServer.start();
    const h = await run({}, [withStamps('pass.finished', [REPO], { pr_id: 7, head_owner: 'dora' })]);
    expect(server.requests).toEqual([]);
    expect(infoLines(h).join('\n')).toContain(
      'a pull-request build (pr_id) needs the head_owner, head_reponame and head_sha properties',
    );
  });

  it("the hook's repository_name and owner properties name the repository; a person in owner (Buildbot's build owner) does not", async () => {
    server = await RecordingServer.start();
    await run({}, [
      withStamps('pass.finished', [REPO], { repository_name: 'gadgets', owner: 'acme-org' }),
      withStamps('fail.finished', [REPO], { owner: 'Dora Dev <dora@example.test>' }),
      withStamps('warn.finished', [{ ...REPO, repository: 'https://gitea.example/acme/https-widgets.git' }]),
    ]);
    expect(problems()).toEqual([[], [], []]);
    expect(server.requests.map((r) => r.url)).toEqual([
      `/api/v1/repos/acme-org/gadgets/statuses/${SHA}`,
      `/api/v1/repos/acme/widgets/statuses/${SHA}`,
      `/api/v1/repos/acme/https-widgets/statuses/${SHA}`,
    ]);
  });

  it("a build that names no repository is skipped with the plugin's log line; a forced build without revision sends nothing", async () => {
    server = await RecordingServer.start();
    const h = await run({}, [
      withStamps('pass.finished', [{ repository: 'widgets', revision: SHA }]),
      fixture('pass.new'),
      fixture('pass.finished'),
    ]);
    expect(server.requests).toEqual([]);
    expect(h.deliveries).toEqual([]);
    expect(infoLines(h).join('\n')).toContain(
      'Could not send status, build has no repository_name property for Gitea.',
    );
  });

  it('a baseURL with a path keeps it (trailing slash ignored); verbose logs each status', async () => {
    server = await RecordingServer.start();
    const h = await run({ baseURL: `${server.url}/gitea/`, verbose: true }, [withStamps('pass.new', [REPO])]);
    expect(server.requests.map((r) => r.url)).toEqual([`/gitea/api/v1/repos/acme/widgets/statuses/${SHA}`]);
    expect(problems('/gitea')).toEqual([[]]);
    expect(infoLines(h)).toContain(`Sending status "pending" for acme/widgets at ${SHA}.`);
  });

  it('a 500 is retried and a 429 waits for Retry-After; the status arrives', async () => {
    server = await RecordingServer.start();
    server.queue({ status: 500, body: { message: 'oops' } }, { status: 429, headers: { 'retry-after': '1' } });
    const h = await run({}, [withStamps('pass.new', [REPO])]);
    expect(server.requests).toHaveLength(3);
    expect(server.requests[2].at - server.requests[1].at).toBeGreaterThanOrEqual(950);
    expect(h.deliveries[0].outcome).toMatchObject({ status: 'sent', attempts: 3 });
  });

  it('a 422 is final, logged with the message; the token never shows', async () => {
    server = await RecordingServer.start(() => ({ status: 422, body: { message: `bad state for ${TOKEN}` } }));
    const h = await run({}, [withStamps('pass.new', [REPO])]);
    expect(h.deliveries[0].outcome).toMatchObject({ status: 'failed', attempts: 1 });
    expect(h.logs.join('\n')).toContain('bad state for ********');
    expect(h.logs.join('\n')).not.toContain(TOKEN);
  });

  it("a pull request's hostile head properties cannot move the request off the configured base", async () => {
    server = await RecordingServer.start();
    const h = await run({ baseURL: `${server.url}/gitea` }, [
      withStamps('pass.new', [REPO], { ...PR, head_owner: '..', head_reponame: '..' }),
      withStamps('fail.new', [REPO], { ...PR, head_sha: '../../x' }),
    ]);
    expect(server.requests).toEqual([]);
    expect(infoLines(h).join('\n')).toContain('the commit "../../x" is not a commit id');
    expect(infoLines(h).join('\n')).toContain('cannot be a segment of a URL path');
  });
});

describe("the check against Gitea's published API", () => {
  it('rejects what Gitea would refuse or ignore: an unknown field, a wrong path, a GET, an unknown state', () => {
    const request = (method: string, url: string, body: unknown): RecordedRequest => ({
      method,
      url,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      at: 0,
    });
    const path = `/api/v1/repos/acme/widgets/statuses/${SHA}`;
    expect(operation.problems(request('POST', path, { state: 'success', name: 'x' }))).not.toEqual([]);
    expect(
      operation.problems(request('POST', `/repos/acme/widgets/statuses/${SHA}`, { state: 'success' })),
    ).not.toEqual([]);
    expect(operation.problems(request('GET', path, { state: 'success' }))).not.toEqual([]);
    expect(operation.problems(request('POST', path, { state: 1 }))).not.toEqual([]);
    expect(
      operation.problems(request('POST', path, { state: 'success', context: 'c', description: 'd', target_url: 'u' })),
    ).toEqual([]);
  });
});
