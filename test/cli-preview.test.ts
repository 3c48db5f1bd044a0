/** `bbreporters preview`: prints exactly what one reporter would send for an event, secrets masked; sends nothing. */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixturePlugins, httpStatusPushDir, repoRoot, runCli, tempDir } from './support/bbreporters-cli.js';

const failFinished = join(httpStatusPushDir, 'fail.finished.json');

function recorderConfig(token: string) {
  const dir = tempDir();
  const recordFile = join(dir, 'records.jsonl');
  const config = join(dir, 'config.yaml');
  writeFileSync(
    config,
    `reporters:\n  - plugin: console\n  - plugin: ${join(fixturePlugins, 'recorder')}\n    name: rec\n    options:\n      file: ${JSON.stringify(recordFile)}\n      token: \${REC_TOKEN}\n      mode: all\n`,
  );
  return { config, recordFile, env: { REC_TOKEN: token } };
}

describe('bbreporters preview', () => {
  it("prints the console reporter's delivery for a raw HttpStatusPush body, and sends nothing", async () => {
    const result = await runCli([
      'preview',
      '--config',
      'examples/quickstart.yaml',
      '--reporter',
      'console',
      '--event',
      failFinished,
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatchInlineSnapshot(`
      "event: buildFinished buildFinished:2 (builder fail, build #1, failure)
      reporter console: buildFinished accepted
      deliveries: 1
      --- delivery 1 of 1 to stdout
      {
        "line": "[buildFinished] fail #1 FAILURE: failed 'false' (failure) http://127.0.0.1:8010/#builders/5/builds/1"
      }
      nothing was sent (preview)
      "
    `);
    // Sent, the console reporter would have printed the bare line; previewed, it is only inside the JSON.
    expect(result.stdout.split('\n')).not.toContain(
      "[buildFinished] fail #1 FAILURE: failed 'false' (failure) http://127.0.0.1:8010/#builders/5/builds/1",
    );
  });

  it("masks the reporter's secrets in what it prints, and only runs the named reporter", async () => {
    const { config, recordFile, env } = recorderConfig('rec-secret-5521');
    const result = await runCli(['preview', '--config', config, '--reporter', 'rec', '--event', failFinished], { env });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('--- delivery 1 of 1 to recorder:buildFinished');
    expect(result.stdout).toContain('"token": "********"');
    expect(result.stdout + result.stderr).not.toContain('rec-secret-5521');
    expect(result.stdout).not.toMatch(/reporter console/);
    // The recorder's send() appends "sent" records: a preview never calls it.
    expect(existsSync(recordFile) ? (await import('node:fs')).readFileSync(recordFile, 'utf8') : '').not.toMatch(
      /"kind":"sent"/,
    );
  });

  it('masks credentials derived from secrets, such as the Basic header of an HTTP request payload', async () => {
    const dir = tempDir();
    const config = join(dir, 'config.yaml');
    writeFileSync(
      config,
      `reporters:\n  - plugin: ${join(fixturePlugins, 'recorder')}\n    name: rec\n    options:\n      file: ${JSON.stringify(join(dir, 'records.jsonl'))}\n      httpAuth: \${REC_AUTH}\n`,
    );
    const auth = 'bot:pw-derived-8812';
    const result = await runCli(['preview', '--config', config, '--reporter', 'rec', '--event', failFinished], {
      env: { REC_AUTH: auth },
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('"authorization": "********"');
    expect(result.stdout + result.stderr).not.toContain(Buffer.from(auth).toString('base64'));
    expect(result.stdout + result.stderr).not.toContain('pw-derived-8812');
  });

  it('accepts an envelope from standard input', async () => {
    const envelope = (await import('node:fs')).readFileSync(
      join(repoRoot, 'core/fixtures/events/worker-missing.json'),
      'utf8',
    );
    const result = await runCli(
      ['preview', '--config', 'examples/quickstart.yaml', '--reporter', 'console', '--event', '-'],
      { input: envelope },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^event: workerMissing workerMissing:2:.* \(worker ghost-worker\)$/m);
    expect(result.stdout).toMatch(/reporter console: workerMissing accepted/);
  });

  it('exits 1 for an invalid event, naming the field', async () => {
    const dir = tempDir({ 'bad.json': JSON.stringify({ event: 'buildFinished', payload: { buildid: 'x' } }) });
    const result = await runCli([
      'preview',
      '--config',
      'examples/quickstart.yaml',
      '--reporter',
      'console',
      '--event',
      join(dir, 'bad.json'),
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/BBR_EVENT_INVALID: invalid event envelope/);
    expect(result.stderr).toMatch(/payload\.buildid: must be integer/);
    const missing = await runCli([
      'preview',
      '--config',
      'examples/quickstart.yaml',
      '--reporter',
      'console',
      '--event',
      join(dir, 'missing.json'),
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--event .*missing\.json: ENOENT/);
  });

  it('exits 2 for a reporter name the config does not have, suggesting the nearest', async () => {
    const result = await runCli([
      'preview',
      '--config',
      'examples/quickstart.yaml',
      '--reporter',
      'consol',
      '--event',
      failFinished,
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/no reporter named "consol" in examples\/quickstart\.yaml; did you mean "console"\?/);
  });
});

/** getting-started.md's mail reporter, and the commit-status reporters with their default APIs. */
const gettingStarted = (gitlabURL = 'https://gitlab.com') => `title: Example CI
buildbotURL: https://ci.example.org/
reporters:
  - plugin: mail
    options:
      fromaddr: buildbot@example.org
      lookup: example.org
      relayhost: smtp.example.org
      smtpUser: buildbot
      smtpPassword: \${SMTP_PASSWORD}
      mode: [failing, problem]
  - plugin: github
    options: { token: "\${GH_TOKEN}" }
  - plugin: gitlab
    options: { token: "\${GH_TOKEN}", baseURL: "${gitlabURL}" }
  - plugin: bitbucket
    options: { oauth_key: bb-key, oauth_secret: "\${GH_TOKEN}" }
  - plugin: bitbucket-server
    options: { base_url: "https://stash.example/", user: ci, password: "\${GH_TOKEN}" }
`;
const SECRETS = { SMTP_PASSWORD: 'smtp-pw-6170', GH_TOKEN: 'token-why-4418' };
const SHA = '6bb18fb7a037a13e58936e828985647ec9f6e8b3';

async function previewWhy(reporter: string, event: string, more: string[] = [], gitlabURL?: string) {
  const config = join(tempDir({ 'bbreporters.yaml': gettingStarted(gitlabURL) }), 'bbreporters.yaml');
  const result = await runCli(
    ['preview', '--config', config, '--reporter', reporter, '--event', join(httpStatusPushDir, event), ...more],
    { env: SECRETS },
  );
  expect(result.code, result.stderr).toBe(0);
  for (const secret of Object.values(SECRETS)) expect(result.stdout + result.stderr).not.toContain(secret);
  return result.stdout;
}

describe('bbreporters preview says why a reporter sends nothing', () => {
  it('mail: the filter that left the build out, or that nobody would get the mail', async () => {
    expect(await previewWhy('mail', 'pass.finished.json')).toContain(
      'reporter mail: buildFinished skipped\n  not sent: mode failing,problem does not report a success build, no previous build\ndeliveries: 0\n',
    );
    expect(await previewWhy('mail', 'fail.finished.json')).toContain(
      'reporter mail: buildFinished skipped\n  not sent: no recipients for build 1 of fail: the build has no responsible user (no change author, no owner), and there are no extraRecipients\ndeliveries: 0\n',
    );
  });

  it('mail: the shipped change-fail fixture names its author, so the whole mail is shown', async () => {
    const stdout = await previewWhy('mail', 'change-fail.finished.json');
    expect(stdout).toContain(
      'reporter mail: buildFinished accepted\ndeliveries: 1\n--- delivery 1 of 1 to mail:dev@example.test\n',
    );
    expect(stdout).toContain('\nTo: Harness Dev <dev@example.test>\n');
    expect(stdout).toMatch(/\nA failed build has been detected on builder fail while building bbharness\.\n/);
  });

  it('github: a stamp without commit, a repository URL without owner/repo, a hook it does not handle', async () => {
    expect(await previewWhy('github', 'fail.finished.json')).toContain(
      'reporter github: buildFinished skipped\n  not sent: source stamp 1 (no repository) names no commit (empty revision: a forced or periodic build), so it gets no status\ndeliveries: 0\n',
    );
    expect(await previewWhy('github', 'change-fail.finished.json')).toContain(
      'reporter github: buildFinished skipped\n  not sent: source stamp https://git.example.test/bbharness.git names no GitHub owner/repo (in its repository URL, or a project written owner/repo). Skipped status update because required repo information is missing.\n',
    );
    expect(await previewWhy('github', '../events/buildset-finished.json')).toContain(
      'reporter github: buildsetFinished skipped\n  not sent: does not handle buildsetFinished\n',
    );
  });

  it.each([
    [
      'github',
      'https://github.com/acme/widgets',
      `--- delivery 1 of 1 to github:acme/widgets@${SHA}:buildbot/fail\n{\n  "method": "POST",\n  "url": "https://api.github.com/repos/acme/widgets/statuses/${SHA}",`,
    ],
    [
      'bitbucket',
      'https://bitbucket.org/acme/widgets.git',
      `--- delivery 1 of 1 to bitbucket:acme/widgets@${SHA}:fail\n{\n  "method": "POST",\n  "url": "https://api.bitbucket.org/2.0/repositories/acme/widgets/commit/${SHA}/statuses/build",`,
    ],
    [
      'bitbucket-server',
      'https://stash.example/scm/PRJ/widgets.git',
      `--- delivery 1 of 1 to bitbucket-server:PRJ/widgets@${SHA}:fail\n{\n  "method": "POST",\n  "url": "https://stash.example/rest/build-status/1.0/commits/${SHA}",`,
    ],
  ])(
    '%s: --repository %s on the shipped change-fail fixture shows the real request',
    async (reporter, url, request) => {
      const stdout = await previewWhy(reporter, 'change-fail.finished.json', ['--repository', url]);
      expect(stdout).toContain(`reporter ${reporter}: buildFinished accepted\ndeliveries: 1\n${request}`);
      expect(stdout).not.toContain('not sent:');
    },
  );

  it('gitlab: --repository names the project, looked up at the configured GitLab (a real server here)', async () => {
    const { RecordingServer } = await import('@bbreporters/core/testing');
    const server = await RecordingServer.start((request) =>
      request.method === 'GET' ? { status: 200, body: { id: 7 } } : { status: 201, body: {} },
    );
    try {
      const stdout = await previewWhy(
        'gitlab',
        'change-fail.finished.json',
        ['--repository', 'git@gitlab.com:acme/widgets.git'],
        server.url,
      );
      expect(stdout).toContain(
        `reporter gitlab: buildFinished accepted\ndeliveries: 1\n--- delivery 1 of 1 to gitlab:acme/widgets@${SHA}:buildbot/fail\n{\n  "method": "POST",\n  "url": "${server.url.replace(/\/$/, '')}/api/v4/projects/7/statuses/${SHA}",`,
      );
      // The lookup was made; the status was not sent.
      expect(server.requests.map((r) => `${r.method} ${r.url}`)).toEqual(['GET /api/v4/projects/acme%2Fwidgets']);
      const unknown = await previewWhy('gitlab', 'change-fail.finished.json', [], server.url);
      expect(unknown).toContain(
        'reporter gitlab: buildFinished skipped\n  not sent: Skipped status update: source stamp https://git.example.test/bbharness.git: the repository URL names no GitLab project (group/project)\n',
      );
    } finally {
      await server.close();
    }
  });
});
