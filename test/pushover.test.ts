/**
 * @bbreporters/pushover against a real loopback HTTP server playing Pushover's message API
 * (channels.md §9, pushover.net/api): `POST /1/messages.json`, form-encoded `user`, `token`,
 * `message`, `title`, `html=1` for the html default, `priority` looked up in `priorities` by the
 * status key (none when unmapped), plus `otherParams`, as Buildbot's PushoverNotifier sends them.
 * The user key and the API token reach the server at each attempt but never the preview; 5xx is
 * retried, 4xx and the quota's 429 are final.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHarness, fixture, RecordingServer, type Harness } from '@bbreporters/core/testing';
import { describe, expect, it } from 'vitest';
import { withStamps } from './support/http-status-fixtures.js';
import { reporterSession } from './support/reporter-session.js';
import { httpStatusPushDir, runCli, tempDir } from './support/bbreporters-cli.js';

const plugin = fileURLToPath(new URL('../plugins/pushover', import.meta.url));
const USER = 'uQiRzpo4DXghDmr9QzzfQu27cmVRsG';
const TOKEN = 'azGDORePK8gMaC0QOYAMyEEuzJnyUi';
const MESSAGES = '/1/messages.json';

let server: RecordingServer;
const session = reporterSession({
  plugin,
  server: () => server,
  options: () => ({ base_url: server.url, user_key: USER, api_token: TOKEN }),
});
const { run } = session;

/** A finished build of the captured fixtures; with `results`, another build (its own id) with that result. */
const finished = (name: 'pass' | 'fail' | 'warn' | 'cancel', results?: number) => {
  const body = withStamps(`${name}.finished`, [{ repository: 'https://example.org/acme/widgets', project: 'widgets' }]);
  return results === undefined ? body : { ...body, buildid: 1000 + results, results };
};
const forms = () => server.requests.map((r) => Object.fromEntries(new URLSearchParams(r.body)));
const skips = (h: Harness) => h.logs.filter((l) => l.includes('no delivery')).join('\n');
const ok = () => ({ status: 200, body: { status: 1, request: '647d2300-702c-4b38-8b2f-d56326ae460b' } });

describe('pushover', () => {
  it("posts a failing build as Buildbot's form: the one-line html message, the subject as title, html=1, the credentials", async () => {
    server = await RecordingServer.start(ok);
    const h = await run({}, [finished('fail')]);
    expect(server.requests.map((r) => [r.method, r.url, r.headers['content-type']])).toEqual([
      ['POST', MESSAGES, 'application/x-www-form-urlencoded'],
    ]);
    const url = (finished('fail') as { url: string }).url;
    expect(forms()).toEqual([
      {
        message: `The Buildbot has detected a <a href="${url}">failed build</a> of <i>fail</i> while building widgets on local-worker.`,
        title: 'Buildbot failure in Buildbot on fail',
        html: '1',
        user: USER,
        token: TOKEN,
      },
    ]);
    expect(h.deliveries.map((d) => d.outcome.status)).toEqual(['sent']);
    expect(h.logs.join('\n')).not.toContain(TOKEN);
    expect(h.logs.join('\n')).not.toContain(USER);
  });

  it('priority comes from priorities by status key, none when the status is unmapped', async () => {
    server = await RecordingServer.start(ok);
    await run({ mode: 'all', priorities: { passing: -2, failing: 1, warnings: 0, exception: -1 } }, [
      finished('pass'),
      finished('fail'),
      finished('warn'),
      finished('fail', 4), // EXCEPTION
      finished('cancel'), // cancelled: not in priorities
    ]);
    expect(forms().map((f) => [f.title.split(' ')[1], f.priority])).toEqual([
      ['success', '-2'],
      ['failure', '1'],
      ['warnings', '0'],
      ['exception', '-1'],
      ['cancelled', undefined],
    ]);
  });

  it('mode and the other filters apply like MailNotifier; the formatter and its subject are configurable', async () => {
    server = await RecordingServer.start(ok);
    await run(
      {
        mode: ['failing'],
        messageFormatter: { template: '<%= buildername %>: <%= summary %>', subject: '<%= buildername %> broke' },
      },
      [finished('pass'), finished('fail')],
    );
    expect(forms().map((f) => [f.title, f.message, f.html])).toEqual([
      ['fail broke', "fail: BUILD FAILED: failed 'false' (failure)", undefined],
    ]);
  });

  it('a template that renders nothing sends nothing, and says why', async () => {
    server = await RecordingServer.start(ok);
    const h = await run({ messageFormatter: { template: '<% if (results !== 2) { %>not failing<% } %>' } }, [
      finished('fail'),
    ]);
    expect(server.requests).toEqual([]);
    expect(skips(h)).toContain('the message formatter gave an empty message for build 1 of fail: nothing to send');
  });

  it('a missing worker is notified only when watched, with the worker_missing priority', async () => {
    server = await RecordingServer.start(ok);
    const h = await run({ priorities: { worker_missing: 1 } }, [fixture('worker-missing')]);
    expect(server.requests).toEqual([]);
    expect(skips(h)).toContain('worker ghost-worker is not in watchedWorkers');
    await h.close();

    await run({ priorities: { worker_missing: 1 }, watchedWorkers: ['ghost-worker'] }, [fixture('worker-missing')]);
    expect(forms().map((f) => [f.title, f.priority])).toEqual([['Buildbot Buildbot worker ghost-worker missing', '1']]);
    expect(forms()[0].message).toContain('The Buildbot worker named ghost-worker went away.');
  });

  it('otherParams are sent with every message and win over html', async () => {
    server = await RecordingServer.start(ok);
    await run(
      { otherParams: { sound: 'siren', url: 'https://ci.example.org/', url_title: 'CI', device: 'phone', html: 0 } },
      [finished('fail')],
    );
    expect(forms()[0]).toMatchObject({
      sound: 'siren',
      url: 'https://ci.example.org/',
      url_title: 'CI',
      device: 'phone',
      html: '0',
    });
  });

  it('cuts the message to 1024 characters', async () => {
    server = await RecordingServer.start(ok);
    await run({ messageFormatter: { template: `<%= 'x'.repeat(3000) %>` } }, [finished('fail')]);
    expect([...forms()[0].message]).toHaveLength(1024);
    expect(forms()[0].message.endsWith('x…')).toBe(true);
  });

  it('a 5xx is sent again', async () => {
    server = await RecordingServer.start(ok);
    server.queue({ status: 500 }, { status: 503 });
    const h = await run({}, [finished('fail')]);
    expect(forms().map((f) => f.token)).toEqual([TOKEN, TOKEN, TOKEN]);
    expect(h.deliveries.map((d) => [d.outcome.status, d.outcome.attempts])).toEqual([['sent', 3]]);
  });

  it("a 4xx is final, with Pushover's errors in the reason", async () => {
    server = await RecordingServer.start(() => ({
      status: 400,
      body: {
        user: 'invalid',
        errors: ['user identifier is not a valid user, group, or subscribed user key'],
        status: 0,
      },
    }));
    const h = await run({}, [finished('fail')]);
    expect(server.requests).toHaveLength(1);
    expect(h.deliveries.map((d) => [d.outcome.status, d.outcome.attempts])).toEqual([['failed', 1]]);
    expect(h.deliveries[0].outcome.reason).toContain('user identifier is not a valid user');
    expect(h.deliveries[0].outcome.reason).not.toContain(USER);
  });

  it("a 429 (the app's monthly quota is used up) is final until the quota's reset, which the reason names", async () => {
    server = await RecordingServer.start(() => ({
      status: 429,
      headers: {
        'x-limit-app-limit': '10000',
        'x-limit-app-remaining': '0',
        'x-limit-app-reset': '1798761600',
        'retry-after': '1',
      },
      body: { status: 0, errors: ['application has exceeded its message quota'] },
    }));
    const h = await run({}, [finished('fail')]);
    expect(server.requests).toHaveLength(1);
    expect(h.deliveries.map((d) => d.outcome.status)).toEqual(['failed']);
    expect(h.deliveries[0].outcome.reason).toContain(
      'monthly quota of 10000 messages is used up until 2027-01-01T00:00:00.000Z',
    );
  });

  it('priority 2 without otherParams.retry and expire is refused at setup, saying what to add', async () => {
    await expect(
      createHarness({
        plugin,
        options: { user_key: USER, api_token: TOKEN, priorities: { failing: 2 }, otherParams: { retry: 60 } },
      }),
    ).rejects.toMatchObject({
      code: 'BBR_PLUGIN_SETUP',
      message: expect.stringContaining(
        'priorities.failing: is 2 (emergency), which Pushover refuses without otherParams.retry',
      ),
    });
    await expect(
      createHarness({
        plugin,
        options: { user_key: USER, api_token: TOKEN, priorities: { failing: 2 }, otherParams: { retry: 60 } },
      }),
    ).rejects.toThrow(/add otherParams\.expire, or use priority 1/);
    server = await RecordingServer.start(ok);
    await run({ priorities: { failing: 2 }, otherParams: { retry: 60, expire: 3600 } }, [finished('fail')]);
    expect(forms()[0]).toMatchObject({ priority: '2', retry: '60', expire: '3600' });
  });
});

describe('pushover through the CLI', () => {
  const config = (dir: string, options: string) => {
    const file = join(dir, 'bbreporters.yaml');
    writeFileSync(
      file,
      `reporters:\n  - plugin: ${plugin}\n    options:\n      user_key: \${PO_USER}\n      api_token: \${PO_TOKEN}\n${options}`,
    );
    return file;
  };
  const env = { PO_USER: USER, PO_TOKEN: TOKEN };

  it('check refuses an otherParams key Buildbot does not allow, with the code and the key', async () => {
    const result = await runCli(
      ['check', '--config', config(tempDir(), '      otherParams: { sound: siren, priority: 2 }\n')],
      { env },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('BBR_CONFIG_INVALID');
    expect(result.stderr).toMatch(/otherParams\.priority: is not an allowed key/);
  });

  it('preview shows the message without the user key and the API token', async () => {
    const result = await runCli(
      [
        'preview',
        '--config',
        config(tempDir(), ''),
        '--reporter',
        'pushover',
        '--event',
        join(httpStatusPushDir, 'fail.finished.json'),
      ],
      { env },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('/1/messages.json');
    expect(result.stdout).toContain('failed+build');
    expect(result.stdout + result.stderr).not.toContain(USER);
    expect(result.stdout + result.stderr).not.toContain(TOKEN);
  });
});
