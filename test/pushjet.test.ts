/**
 * @bbreporters/pushjet against a real loopback HTTP server playing a Pushjet API server
 * (channels.md §10): `POST <base_url>/message` with form data `secret`, `message`, `title` and
 * `level` from `levels` by status key (none when unmapped), as Buildbot's PushjetNotifier sends
 * them. The secret reaches the server at each attempt but never the preview; 5xx is retried, 4xx
 * is final.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fixture, RecordingServer, type Harness } from '@bbreporters/core/testing';
import { describe, expect, it } from 'vitest';
import { withStamps } from './support/http-status-fixtures.js';
import { reporterSession } from './support/reporter-session.js';
import { httpStatusPushDir, runCli, tempDir } from './support/bbreporters-cli.js';

const plugin = fileURLToPath(new URL('../plugins/pushjet', import.meta.url));
const SECRET = 'd6bb6a7d5b2c4dbd8b3e0c6b54d5bb4c';

let server: RecordingServer;
const session = reporterSession({
  plugin,
  server: () => server,
  options: () => ({ base_url: server.url, secret: SECRET }),
});
const { run } = session;

/** A finished build of the captured fixtures; with `results`, another build (its own id) with that result. */
const finished = (name: 'pass' | 'fail' | 'warn' | 'cancel', results?: number) => {
  const body = withStamps(`${name}.finished`, [{ repository: 'https://example.org/acme/widgets', project: 'widgets' }]);
  return results === undefined ? body : { ...body, buildid: 1000 + results, results };
};
const forms = () => server.requests.map((r) => Object.fromEntries(new URLSearchParams(r.body)));
const skips = (h: Harness) => h.logs.filter((l) => l.includes('no delivery')).join('\n');
const ok = () => ({ status: 200, body: { status: 'ok' } });

describe('pushjet', () => {
  it('posts a failing build to <base_url>/message as form data: secret, the one-line html message, the subject as title', async () => {
    server = await RecordingServer.start(ok);
    const h = await run({}, [finished('fail')]);
    expect(server.requests.map((r) => [r.method, r.url, r.headers['content-type']])).toEqual([
      ['POST', '/message', 'application/x-www-form-urlencoded'],
    ]);
    const url = (finished('fail') as { url: string }).url;
    expect(forms()).toEqual([
      {
        message: `The Buildbot has detected a <a href="${url}">failed build</a> of <i>fail</i> while building widgets on local-worker.`,
        title: 'Buildbot failure in Buildbot on fail',
        secret: SECRET,
      },
    ]);
    expect(h.logs.join('\n')).not.toContain(SECRET);
  });

  it('level comes from levels by status key, none when the status is unmapped; a context path is kept', async () => {
    server = await RecordingServer.start(ok);
    await run(
      {
        base_url: `${server.url}/pushjet/`,
        mode: 'all',
        levels: { passing: 1, failing: 5, warnings: 3, exception: 4 },
      },
      [
        finished('pass'),
        finished('fail'),
        finished('warn'),
        finished('fail', 4), // EXCEPTION
        finished('cancel'), // cancelled: not in levels
      ],
    );
    expect(server.requests.map((r) => r.url)).toEqual(Array(5).fill('/pushjet/message'));
    expect(forms().map((f) => [f.title.split(' ')[1], f.level])).toEqual([
      ['success', '1'],
      ['failure', '5'],
      ['warnings', '3'],
      ['exception', '4'],
      ['cancelled', undefined],
    ]);
  });

  it('a missing worker is notified only when watched, with the worker_missing level', async () => {
    server = await RecordingServer.start(ok);
    const h = await run({ levels: { worker_missing: 5 } }, [fixture('worker-missing')]);
    expect(server.requests).toEqual([]);
    expect(skips(h)).toContain('worker ghost-worker is not in watchedWorkers');
    await h.close();

    await run({ levels: { worker_missing: 5 }, watchedWorkers: 'all' }, [fixture('worker-missing')]);
    expect(forms().map((f) => [f.title, f.level, f.secret])).toEqual([
      ['Buildbot Buildbot worker ghost-worker missing', '5', SECRET],
    ]);
  });

  it('a 5xx is sent again; a 4xx is final', async () => {
    server = await RecordingServer.start(ok);
    server.queue({ status: 502 });
    const sent = await run({}, [finished('fail')]);
    expect(sent.deliveries.map((d) => [d.outcome.status, d.outcome.attempts])).toEqual([['sent', 2]]);
    await sent.close();
    await server.close();

    server = await RecordingServer.start(() => ({ status: 400, body: { error: { message: 'Uuid is invalid' } } }));
    const refused = await run({}, [finished('fail')]);
    expect(server.requests).toHaveLength(1);
    expect(refused.deliveries.map((d) => [d.outcome.status, d.outcome.attempts])).toEqual([['failed', 1]]);
    expect(refused.deliveries[0].outcome.reason).toContain('Uuid is invalid');
  });

  it('preview shows the message without the secret', async () => {
    const config = join(tempDir(), 'bbreporters.yaml');
    writeFileSync(
      config,
      `reporters:\n  - plugin: ${plugin}\n    options:\n      secret: \${PJ_SECRET}\n      levels: { failing: 4 }\n`,
    );
    const result = await runCli(
      [
        'preview',
        '--config',
        config,
        '--reporter',
        'pushjet',
        '--event',
        join(httpStatusPushDir, 'fail.finished.json'),
      ],
      { env: { PJ_SECRET: SECRET } },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('"url": "https://api.pushjet.io/message"');
    expect(result.stdout).toContain('level=4');
    expect(result.stdout + result.stderr).not.toContain(SECRET);
  });
});
