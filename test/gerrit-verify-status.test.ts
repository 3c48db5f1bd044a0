/**
 * @bbreporters/gerrit-verify-status against a real loopback HTTP server that checks every request
 * as the verify-status plugin documents it (GerritCodeReview/plugins_verify-status,
 * rest-api-changes.md "Post Verify": POST /a/changes/{change-id}/revisions/{revision-id}/
 * verify-status~verifications, a VerifyInput body) and answers as Gerrit does, `)]}'` first.
 * Fed Buildbot 3.7's captured builds with a Gerrit change's properties.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fixture, RecordingServer, type Harness, type RecordedRequest } from '@bbreporters/core/testing';
import { isBbrError } from '@bbreporters/core';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { reporterSession } from './support/reporter-session.js';
import { runCli, tempDir } from './support/bbreporters-cli.js';
import { withGerrit } from './support/gerrit-events.js';

const plugin = fileURLToPath(new URL('../plugins/gerrit-verify-status', import.meta.url));
const PASSWORD = 'gerrit-http-secret-77';
const BASIC = `Basic ${Buffer.from(`buildbot:${PASSWORD}`).toString('base64')}`;
const PATH = '/a/changes/4321/revisions/12/verify-status~verifications';

/** The plugin's VerifyInput and VerificationInfo, as its REST documentation lists them. */
const verifyInput = new Ajv({ allErrors: true }).compile({
  type: 'object',
  required: ['verifications'],
  additionalProperties: false,
  properties: {
    verifications: {
      type: 'object',
      minProperties: 1,
      additionalProperties: {
        type: 'object',
        required: ['value'],
        additionalProperties: false,
        properties: {
          value: { type: 'integer', minimum: -1, maximum: 1 },
          abstain: { type: 'boolean' },
          rerun: { type: 'boolean' },
          comment: { type: 'string' },
          url: { type: 'string' },
          reporter: { type: 'string' },
          category: { type: 'string' },
          duration: { type: 'string' },
        },
      },
    },
  },
});

/** Problems of a request against the documented endpoint ([] when it conforms). */
function apiProblems(request: RecordedRequest, prefix = ''): string[] {
  const problems: string[] = [];
  if (request.method !== 'POST') problems.push(`method ${request.method}`);
  const path = request.url.slice(prefix.length);
  if (!/^\/a\/changes\/[^/]+\/revisions\/[^/]+\/verify-status~verifications$/.test(path)) problems.push(`path ${path}`);
  if (request.headers['content-type'] !== 'application/json')
    problems.push(`content-type ${request.headers['content-type']}`);
  if (request.headers.authorization !== BASIC) problems.push('no Basic credentials');
  if (!verifyInput(JSON.parse(request.body)))
    problems.push(...(verifyInput.errors ?? []).map((e) => `body${e.instancePath} ${e.message}`));
  return problems;
}

let server: RecordingServer;
/** Gerrit answers JSON with its XSSI guard first. */
const gerrit = () => RecordingServer.start(() => ({ status: 200, body: `)]}'\n{}` }));
const session = reporterSession({
  plugin,
  server: () => server,
  options: () => ({ baseURL: `${server.url}/`, auth: { user: 'buildbot', password: PASSWORD } }),
});
const { run } = session;

type Name = 'pass' | 'fail' | 'warn' | 'cancel';
/** Start and end of a captured build, made a Gerrit change's build (change 4321, patch set 12); the end an hour and a second after the start. */
function gerritBuild(name: Name, overrides?: Record<string, unknown>): Array<Record<string, unknown>> {
  const started = withGerrit(fixture(`${name}.new`), overrides);
  const finished = withGerrit(fixture(`${name}.finished`), overrides);
  finished.complete_at = (finished.started_at as number) + 3601;
  return [started, finished];
}

const bodies = () => server.requests.map((r) => JSON.parse(r.body) as { verifications: Record<string, unknown> });
const skips = (h: Harness) => h.outcomes.flatMap((o) => o.skips ?? []);

describe('gerrit-verify-status', () => {
  it('start then end of a passing build: value 0 pending, then 1 with the duration, exactly as the plugin documents', async () => {
    server = await gerrit();
    const h = await run({}, gerritBuild('pass'));
    expect(server.requests.map((r) => apiProblems(r))).toEqual([[], []]);
    expect(server.requests.map((r) => r.url)).toEqual([PATH, PATH]);
    const url = fixture('pass.new').url;
    expect(bodies()).toEqual([
      {
        verifications: {
          pass: { value: 0, abstain: false, comment: 'Build started.', url, reporter: 'buildbot', duration: 'pending' },
        },
      },
      {
        verifications: {
          pass: { value: 1, abstain: false, comment: 'Build done.', url, reporter: 'buildbot', duration: '1h 0m 1s' },
        },
      },
    ]);
    // The )]}'-guarded answer is Gerrit's success: nothing parses it.
    expect(h.deliveries.map((d) => [d.delivery.target, d.outcome.status])).toEqual([
      ['gerrit-verify-status:4321/12:pass', 'sent'],
      ['gerrit-verify-status:4321/12:pass', 'sent'],
    ]);
  });

  it.each([
    ['fail', -1],
    ['warn', 1],
    ['cancel', 0],
  ] as const)("a %s build ends with value %i (Buildbot's RESULTS_TABLE)", async (name, value) => {
    server = await gerrit();
    await run({}, gerritBuild(name));
    expect(server.requests.map((r) => apiProblems(r))).toEqual([[], []]);
    expect(bodies().map((b) => Object.values(b.verifications).map((v) => (v as { value: number }).value))).toEqual([
      [0],
      [value],
    ]);
  });

  it('verification_name, reporter, category, descriptions are templates; abstain is sent as given', async () => {
    server = await gerrit();
    await run(
      {
        verification_name: 'ci-<%= buildername %>-<%= prop("event.change.branch") %>',
        reporter: 'Buildbot <%= prop("workername") %>',
        category: 'gate',
        abstain: true,
        startDescription: 'started <%= buildername %>',
        endDescription: 'done <%= buildername %>',
      },
      gerritBuild('fail'),
    );
    expect(server.requests.map((r) => apiProblems(r))).toEqual([[], []]);
    const [started, finished] = bodies().map((b) => b.verifications['ci-fail-master'] as Record<string, unknown>);
    const worker = (fixture('fail.new').properties as Record<string, [string]>).workername[0];
    expect(started).toMatchObject({ comment: 'started fail', reporter: `Buildbot ${worker}`, category: 'gate' });
    expect(finished).toMatchObject({ value: -1, abstain: true, comment: 'done fail', category: 'gate' });
  });

  it('gerrit_changes names several changes (long ids, commits): one verification each, the project encoded', async () => {
    server = await gerrit();
    await run({}, [
      withGerrit(fixture('pass.new'), {
        gerrit_changes: [
          { change_id: 'platform/tools~master~I8473b95934b5732ac55d26311a706c9c2bde9940', revision_id: 'd34db33f' },
          { change_id: 100, revision_id: 1 },
        ],
      }),
    ]);
    expect(server.requests.map((r) => apiProblems(r))).toEqual([[], []]);
    expect(server.requests.map((r) => r.url).sort()).toEqual([
      '/a/changes/100/revisions/1/verify-status~verifications',
      '/a/changes/platform%2Ftools~master~I8473b95934b5732ac55d26311a706c9c2bde9940/revisions/d34db33f/verify-status~verifications',
    ]);
  });

  it('a build that is not a Gerrit change gets nothing, and its outcome says why', async () => {
    server = await gerrit();
    const h = await run({}, [fixture('pass.new'), fixture('pass.finished')]);
    expect(server.requests).toEqual([]);
    expect(h.outcomes.map((o) => o.status)).toEqual(['skipped', 'skipped']);
    expect(skips(h)).toEqual([
      'the build is not a Gerrit change (no gerrit_changes or event.change.number property)',
      'the build is not a Gerrit change (no gerrit_changes or event.change.number property)',
    ]);
  });

  it('a Gerrit event without a patch set number is skipped with a reason (Buildbot would post to revisions/None)', async () => {
    server = await gerrit();
    const h = await run({}, [withGerrit(fixture('pass.new'), { 'event.patchSet.number': '' })]);
    expect(server.requests).toEqual([]);
    expect(skips(h)).toEqual(['change 4321: event.patchSet.number is missing or empty']);
  });

  it('hostile change and revision ids never leave the configured base; the ordinary change still gets its verification', async () => {
    server = await gerrit();
    const h = await run({ baseURL: `${server.url}/gerrit` }, [
      withGerrit(fixture('pass.new'), {
        gerrit_changes: [
          { change_id: '..', revision_id: '1' },
          { change_id: '%2e%2e', revision_id: '1' },
          { change_id: '1', revision_id: '..' },
          { change_id: '../../../x', revision_id: '1' },
          { change_id: '4321', revision_id: '12' },
        ],
      }),
    ]);
    expect(server.requests.map((r) => apiProblems(r, '/gerrit'))).toEqual([[], []]);
    expect(server.requests.map((r) => r.url).sort()).toEqual([
      '/gerrit/a/changes/..%2F..%2F..%2Fx/revisions/1/verify-status~verifications',
      `/gerrit${PATH}`,
    ]);
    expect(skips(h)).toEqual([
      'change "..": ".." cannot be a segment of a URL path (empty, "." or "..")',
      'change "%2e%2e": "%2e%2e" cannot be a segment of a URL path (empty, "." or "..")',
      'change "1": ".." cannot be a segment of a URL path (empty, "." or "..")',
    ]);
  });

  it('503s are retried until Gerrit accepts; a 401 fails at once; the password never shows', async () => {
    server = await gerrit();
    server.queue({ status: 503 }, { status: 503 });
    let h = await run({}, [withGerrit(fixture('pass.new'))]);
    expect(server.requests).toHaveLength(3);
    expect(h.deliveries[0].outcome).toMatchObject({ status: 'sent', attempts: 3 });
    await h.close();

    server.requests.length = 0;
    server.queue({ status: 401, body: `Unauthorized ${PASSWORD}` });
    h = session.track(
      await (
        await import('@bbreporters/core/testing')
      ).createHarness({
        plugin,
        options: { baseURL: server.url, auth: { user: 'buildbot', password: PASSWORD }, verbose: true },
      }),
    );
    await h.emit(withGerrit(fixture('pass.new')));
    await h.drain();
    expect(server.requests).toHaveLength(1);
    expect(h.deliveries[0].outcome).toMatchObject({
      status: 'failed',
      attempts: 1,
      reason: expect.stringContaining('401'),
    });
    const logs = h.logs.join('\n');
    expect(h.logs.map((l) => (JSON.parse(l) as { msg: string }).msg)).toContainEqual(
      expect.stringMatching(/^Sending Gerrit status for 4321\/12: data=\{"verifications":\{"pass":\{"value":0,/),
    );
    expect(logs).not.toContain(PASSWORD);
    expect(logs).not.toContain(BASIC.slice('Basic '.length));
  });

  it('builders (core filter) verifies only the listed builders', async () => {
    server = await gerrit();
    await run({ builders: ['fail'] }, [...gerritBuild('pass'), ...gerritBuild('fail')]);
    expect(bodies().map((b) => Object.keys(b.verifications))).toEqual([['fail'], ['fail']]);
  });

  it('refuses a config without auth, and one whose baseURL is no http(s) URL (config check)', async () => {
    const { createHarness } = await import('@bbreporters/core/testing');
    const error = await createHarness({ plugin, options: { baseURL: 'ftp://review.example.org' } }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isBbrError(error) && error.describe()).toMatch(/options[\s\S]*auth[\s\S]*baseURL|baseURL[\s\S]*auth/);
  });
});

describe('bbreporters preview (the real CLI)', () => {
  it('prints the exact request with the credentials masked, and why a build that is no Gerrit change gets none', async () => {
    const dir = tempDir();
    const config = join(dir, 'config.yaml');
    writeFileSync(
      config,
      `reporters:
  - plugin: gerrit-verify-status
    options: { baseURL: "https://review.example.org/", auth: { user: buildbot, password: "\${GERRIT_HTTP_PASSWORD}" } }
`,
    );
    const gerritEvent = join(dir, 'gerrit.json');
    writeFileSync(gerritEvent, JSON.stringify(gerritBuild('fail')[1]));
    const plainEvent = join(dir, 'plain.json');
    writeFileSync(plainEvent, JSON.stringify(fixture('fail.finished')));
    const env = { GERRIT_HTTP_PASSWORD: PASSWORD };

    const shown = await runCli(
      ['preview', '--config', config, '--reporter', 'gerrit-verify-status', '--event', gerritEvent],
      { env },
    );
    expect(shown.code, shown.stderr).toBe(0);
    const printed = shown.stdout
      .split(/^--- delivery .*$/m)
      .slice(1)
      .map((chunk) => JSON.parse(chunk.replace(/\nnothing was sent \(preview\)\n?$/, '').trim()) as unknown);
    expect(printed).toEqual([
      {
        method: 'POST',
        url: `https://review.example.org${PATH}`,
        headers: { 'Content-Type': 'application/json', Authorization: '********' },
        body: {
          verifications: {
            fail: {
              value: -1,
              abstain: false,
              comment: 'Build done.',
              url: fixture('fail.finished').url,
              reporter: 'buildbot',
              duration: '1h 0m 1s',
            },
          },
        },
      },
    ]);

    const skipped = await runCli(
      ['preview', '--config', config, '--reporter', 'gerrit-verify-status', '--event', plainEvent],
      { env },
    );
    expect(skipped.code, skipped.stderr).toBe(0);
    expect(skipped.stdout).toContain('the build is not a Gerrit change');
    for (const output of [shown, skipped]) expect(output.stdout + output.stderr).not.toContain(PASSWORD);
  });
});

describe('the VerifyInput check itself', () => {
  it("rejects Buildbot's flat body, a value out of range, a missing value", () => {
    const request = (body: unknown): RecordedRequest => ({
      method: 'POST',
      url: PATH,
      headers: { 'content-type': 'application/json', authorization: BASIC },
      body: JSON.stringify(body),
      at: 0,
    });
    expect(apiProblems(request({ name: 'pass', value: 1, abstain: false }))).not.toEqual([]);
    expect(apiProblems(request({ verifications: { pass: { value: 2 } } }))).not.toEqual([]);
    expect(apiProblems(request({ verifications: { pass: { comment: 'x' } } }))).not.toEqual([]);
    expect(apiProblems(request({ verifications: { pass: { value: -1 } } }))).toEqual([]);
  });
});
