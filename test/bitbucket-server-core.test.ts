/**
 * @bbreporters/bitbucket-server-core against a real loopback HTTP server playing Bitbucket
 * Server's core REST API: method, path, auth and the JSON of stash.md §4 (Buildbot HEAD's
 * test_bitbucketserver.py expectations), with every key present. The body's fields and types are
 * checked against Bitbucket Data Center's API description in bitbucket-server-openapi.test.ts.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fixture, type Harness, RecordingServer } from '@bbreporters/core/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { reporterSession } from './support/reporter-session.js';
import { buildEvents, SHA, withStamps } from './support/http-status-fixtures.js';

const plugin = fileURLToPath(new URL('../plugins/bitbucket-server-core', import.meta.url));
const TOKEN = 'bbs-core-token-5521';
const REPO = { repository: 'https://bb.example.com/scm/PRJ/repo.git', revision: SHA, branch: 'master' };
const PATH = `/rest/api/1.0/projects/PRJ/repos/repo/commits/${SHA}/builds`;
const KEYS = ['name', 'description', 'key', 'url', 'ref', 'buildNumber', 'state', 'parent', 'duration', 'testResults'];

let server: RecordingServer;
/** The token, unless a test uses Basic auth instead. */
let credentials: Record<string, unknown>;
beforeEach(() => {
  credentials = { token: TOKEN };
});
const session = reporterSession({
  plugin,
  server: () => server,
  options: () => ({ base_url: server.url, ...credentials }),
});
const { run } = session;

const bodies = () => server.requests.map((r) => JSON.parse(r.body) as Record<string, unknown>);
const skips = (h: Harness) => h.logs.filter((l) => l.includes('no delivery'));

describe('bitbucket-server-core', () => {
  it('posts INPROGRESS then SUCCESSFUL with every key, Bearer auth, to the core API builds endpoint', async () => {
    server = await RecordingServer.start(() => ({ status: 204 }));
    const h = await run({}, buildEvents('pass', [REPO]));
    expect(server.requests.map((r) => [r.method, r.url, r.headers.authorization, r.headers['content-type']])).toEqual([
      ['POST', PATH, `Bearer ${TOKEN}`, 'application/json'],
      ['POST', PATH, `Bearer ${TOKEN}`, 'application/json'],
    ]);
    const start = fixture('pass.new');
    const end = fixture('pass.finished');
    const url = start.url;
    const number = start.number as number;
    expect(bodies()).toEqual([
      {
        name: `pass #${number}`,
        description: 'Build started.',
        key: 'pass',
        url,
        ref: 'refs/heads/master',
        buildNumber: String(number),
        state: 'INPROGRESS',
        parent: 'pass',
        duration: null,
        testResults: null,
      },
      {
        name: `pass #${number}`,
        description: 'Build done.',
        key: 'pass',
        url,
        ref: 'refs/heads/master',
        buildNumber: String(number),
        state: 'SUCCESSFUL',
        parent: 'pass',
        duration: ((end.complete_at as number) - (end.started_at as number)) * 1000,
        testResults: null,
      },
    ]);
    for (const body of bodies()) expect(Object.keys(body).sort()).toEqual([...KEYS].sort());
    expect(h.logs.join('\n')).not.toContain(TOKEN);
  });

  it('duration is whole seconds × 1000; test results come from tests_* properties', async () => {
    server = await RecordingServer.start(() => ({ status: 204 }));
    const finished = withStamps('fail.finished', [REPO], { tests_failed: 2, tests_successful: 40 });
    finished.complete_at = (finished.started_at as number) + 10;
    await run({}, [finished]);
    expect(bodies()[0]).toMatchObject({
      state: 'FAILED',
      duration: 10000,
      testResults: { failed: 2, skipped: 0, successful: 40 },
    });
  });

  it.each(['fail', 'warn', 'cancel'] as const)('a %s build ends as FAILED', async (name) => {
    server = await RecordingServer.start(() => ({ status: 204 }));
    await run({}, buildEvents(name, [REPO]));
    expect(bodies().map((b) => b.state)).toEqual(['INPROGRESS', 'FAILED']);
  });

  it('HTTP Basic with auth; the ref is kept when it starts with refs/, null with a warning without a branch', async () => {
    server = await RecordingServer.start(() => ({ status: 204 }));
    credentials = { auth: { user: 'ci', password: 'pw-2231' } };
    const h = await run({}, [
      withStamps('pass.new', [{ ...REPO, branch: 'refs/pull-requests/7/from' }]),
      withStamps('fail.new', [{ ...REPO, branch: null }]),
    ]);
    expect(server.requests[0].headers.authorization).toBe(`Basic ${Buffer.from('ci:pw-2231').toString('base64')}`);
    expect(bodies().map((b) => b.ref)).toEqual(['refs/pull-requests/7/from', null]);
    expect(h.logs.join('\n')).toContain('Unable to resolve ref for SSID: 1');
    expect(h.logs.join('\n')).not.toContain('pw-2231');
  });

  it('a triggered build is named and parented after its parent build', async () => {
    server = await RecordingServer.start(() => ({ status: 204 }));
    const child = withStamps('triggered-child.finished', [REPO]);
    await run({}, [child]);
    const number = child.number as number;
    expect(bodies()[0]).toMatchObject({ name: `fanout #1 \u00bb pass #${number}`, parent: 'fanout' });
  });

  it('statusName, statusSuffix, parentName, buildNumber, ref and key are templates', async () => {
    server = await RecordingServer.start(() => ({ status: 204 }));
    await run(
      {
        statusName: 'CI <%= buildername %>',
        statusSuffix: ' (nightly)',
        parentName: 'root',
        buildNumber: 'b<%= build.number %>',
        ref: 'refs/tags/v1',
        key: 'k-<%= buildername %>',
      },
      [withStamps('pass.new', [REPO])],
    );
    expect(bodies()[0]).toMatchObject({
      name: 'CI pass (nightly)',
      parent: 'root',
      buildNumber: `b${fixture('pass.new').number as number}`,
      ref: 'refs/tags/v1',
      key: 'k-pass',
    });
  });

  it('duration and testResults may be module references to a function of the build', async () => {
    server = await RecordingServer.start(() => ({ status: 204 }));
    const dir = mkdtempSync(join(tmpdir(), 'bbs-core-hooks-'));
    writeFileSync(
      join(dir, 'hooks.mjs'),
      `export const duration = (build) => build.number * 7;\nexport const testResults = (build) => ({ failed: 0, skipped: 1, successful: build.properties.buildnumber[0] });\n`,
    );
    await run(
      { duration: './hooks.mjs#duration', testResults: './hooks.mjs#testResults' },
      buildEvents('pass', [REPO]),
      {
        configDir: dir,
      },
    );
    const number = fixture('pass.new').number as number;
    expect(bodies().map((b) => [b.duration, b.testResults])).toEqual([
      [null, null],
      [number * 7, { failed: 0, skipped: 1, successful: number }],
    ]);
  });

  it('no revision: "Unable to get the commit hash"; a repository without project and slug is skipped with the reason', async () => {
    server = await RecordingServer.start(() => ({ status: 204 }));
    const h = await run({}, [
      withStamps('pass.new', [
        { ...REPO, revision: null },
        { ...REPO, repository: 'https://example.org/repo' },
        { ...REPO, repository: 'ssh://git@bb.example.com:7999/OTHER/lib.git', revision: 'a1a1' },
      ]),
    ]);
    expect(server.requests.map((r) => r.url)).toEqual(['/rest/api/1.0/projects/OTHER/repos/lib/commits/a1a1/builds']);
    expect(skips(h).join('\n')).toContain('Unable to get the commit hash');
    expect(skips(h).join('\n')).toContain('Unable to parse repository info');
  });

  it("a 400 is final and logged by core with Bitbucket's text", async () => {
    server = await RecordingServer.start(() => ({ status: 400, body: { errors: [{ message: 'bad ref' }] } }));
    const h = await run({}, [withStamps('pass.new', [REPO])]);
    expect(h.deliveries[0].outcome).toMatchObject({ status: 'failed', attempts: 1 });
    expect(h.logs.join('\n')).toContain('bad ref');
  });

  it('429 with Retry-After: sent again after the wait', async () => {
    server = await RecordingServer.start(() => ({ status: 204 }));
    server.queue({ status: 429, headers: { 'retry-after': '1' } });
    const again = await run({}, [withStamps('fail.new', [REPO])]);
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1].at - server.requests[0].at).toBeGreaterThanOrEqual(950);
    expect(again.deliveries[0].outcome).toMatchObject({ status: 'sent', attempts: 2 });
  });
});
