/**
 * @bbreporters/zulip against a real loopback HTTP server playing Zulip's Buildbot integration
 * (zerver/webhooks/buildbot/view.py): it checks each request's shape as Zulip reads it and
 * renders the message Zulip would post, which the docs page quotes.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkConfig } from '@bbreporters/core';
import { fixture, type Harness, type RecordedRequest, RecordingServer } from '@bbreporters/core/testing';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from './support/bbreporters-cli.js';
import { reporterSession } from './support/reporter-session.js';

const plugin = fileURLToPath(new URL('../plugins/zulip', import.meta.url));
const docsPage = readFileSync(new URL('../docs/reporters/zulip.md', import.meta.url), 'utf8');
const TOKEN = 'zulip-bot-key-5309';
const RESULTS = ['success', 'warnings', 'failure', 'skipped', 'exception', 'retry', 'cancelled'];

interface ZulipPost {
  event: 'new' | 'finished';
  buildid: number;
  buildername: string;
  url: string;
  project: string;
  timestamp: number;
  results?: number;
}

/** Zulip's view: the topic and the message it posts for one request (view.py), or why it refuses it. */
function zulipRenders(request: RecordedRequest): { topic: string; body: string } {
  const query = new URL(request.url, 'http://zulip').searchParams;
  if (request.method !== 'POST' || !request.url.startsWith('/api/v1/external/buildbot?')) throw new Error('wrong URL');
  if (query.get('api_key') !== TOKEN) throw new Error('Invalid API key');
  if (request.headers['content-type'] !== 'application/json') throw new Error('not JSON');
  const post = JSON.parse(request.body) as ZulipPost;
  const topic = post.project || 'general';
  if (post.event === 'new')
    return { topic, body: `Build [#${post.buildid}](${post.url}) for **${post.buildername}** started.` };
  return {
    topic,
    body: `Build [#${post.buildid}](${post.url}) (result: ${RESULTS[post.results as number]}) for **${post.buildername}** finished.`,
  };
}

/** A Zulip server: 200 {"result":"success"} for a request it can render, 401 for a wrong key, 400 otherwise. */
const zulip = () =>
  RecordingServer.start((request) => {
    try {
      zulipRenders(request);
      return { status: 200, body: { result: 'success', msg: '' } };
    } catch (error) {
      const msg = (error as Error).message;
      return msg === 'Invalid API key'
        ? { status: 401, body: { result: 'error', msg, code: 'INVALID_API_KEY' } }
        : { status: 400, body: { result: 'error', msg } };
    }
  });

let server: RecordingServer;
const session = reporterSession({
  plugin,
  server: () => server,
  options: () => ({ token: TOKEN, endpoint: server.url }),
});
const { run } = session;

/** A fixture with a `project` property (Buildbot's ZulipStatusPush needs one). */
const withProject = (name: Parameters<typeof fixture>[0], project: string) => {
  const event = fixture(name);
  (event.properties as Record<string, unknown>).project = [project, 'Build'];
  return event;
};
const posts = () => server.requests.map((r) => JSON.parse(r.body) as ZulipPost);
const logLines = (h: Harness) => h.logs.map((line) => JSON.parse(line) as { level: number; msg: string });

describe('zulip', () => {
  it("start and end: Buildbot's JSON to /api/v1/external/buildbot with api_key then stream; Zulip renders both", async () => {
    server = await zulip();
    const h = await run({ stream: 'ci builds' }, [
      withProject('fail.new', 'bbharness'),
      withProject('fail.finished', 'bbharness'),
    ]);
    const started = fixture('fail.new');
    const finished = fixture('fail.finished');
    expect(server.requests.map((r) => [r.method, r.url])).toEqual([
      ['POST', `/api/v1/external/buildbot?api_key=${TOKEN}&stream=ci+builds`],
      ['POST', `/api/v1/external/buildbot?api_key=${TOKEN}&stream=ci+builds`],
    ]);
    expect(posts()).toEqual([
      {
        event: 'new',
        buildid: 2,
        buildername: 'fail',
        url: started.url,
        project: 'bbharness',
        timestamp: started.started_at,
      },
      {
        event: 'finished',
        buildid: 2,
        buildername: 'fail',
        url: finished.url,
        project: 'bbharness',
        timestamp: finished.complete_at,
        results: 2,
      },
    ]);
    // Key order as Buildbot's dict: the JSON text itself.
    expect(Object.keys(posts()[1])).toEqual([
      'event',
      'buildid',
      'buildername',
      'url',
      'project',
      'timestamp',
      'results',
    ]);
    const rendered = server.requests.map(zulipRenders);
    expect(rendered).toEqual([
      { topic: 'bbharness', body: `Build [#2](${started.url as string}) for **fail** started.` },
      { topic: 'bbharness', body: `Build [#2](${finished.url as string}) (result: failure) for **fail** finished.` },
    ]);
    // The docs page quotes exactly these messages.
    for (const { body } of rendered) expect(docsPage).toContain(body);
    expect(h.deliveries.map((d) => d.outcome.status)).toEqual(['sent', 'sent']);
    expect(h.logs.join('\n')).not.toContain(TOKEN);
  });

  it('no stream: only api_key; an empty project is Zulip\'s "general" topic', async () => {
    server = await zulip();
    await run({ endpoint: `${server.url}/zulip/` }, [withProject('pass.finished', '')]);
    expect(server.requests.map((r) => r.url)).toEqual([`/zulip/api/v1/external/buildbot?api_key=${TOKEN}`]);
    expect(server.requests[0].url.replace('/zulip', '')).toMatch(/^\/api\/v1\/external\/buildbot\?/);
  });

  it('a build without a project property: skipped with the reason (Buildbot fails with a KeyError)', async () => {
    server = await zulip();
    const event = fixture('pass.new');
    delete (event.properties as Record<string, unknown>).project;
    const h = await run({}, [event]);
    expect(server.requests).toEqual([]);
    expect(h.outcomes[0]).toMatchObject({
      status: 'skipped',
      skips: ['build 1 has no "project" property, which Zulip\'s Buildbot integration requires'],
    });
  });

  it('hostile event data stays in the body: the request never leaves /api/v1/external/buildbot; a stream is one query value', async () => {
    server = await zulip();
    const event = withProject('pass.new', '../../admin?x=1#');
    (event.builder as { name: string }).name = '../../../api/v1/users';
    await run({ stream: 'a&api_key=stolen#x' }, [event]);
    expect(server.requests.map((r) => r.url)).toEqual([
      `/api/v1/external/buildbot?api_key=${TOKEN}&stream=a%26api_key%3Dstolen%23x`,
    ]);
    const query = new URL(server.requests[0].url, 'http://zulip').searchParams;
    expect(query.getAll('api_key')).toEqual([TOKEN]);
    expect(query.get('stream')).toBe('a&api_key=stolen#x');
    expect(zulipRenders(server.requests[0]).topic).toBe('../../admin?x=1#');
  });

  it('a 401: logged as Buildbot does, final after one attempt (core: 4xx but 408/429 are final); the key is masked', async () => {
    server = await zulip();
    const h = await run({ token: 'wrong-key-0000' }, [withProject('pass.new', 'p')]);
    expect(h.deliveries[0].outcome).toMatchObject({ status: 'failed', attempts: 1 });
    const errors = logLines(h)
      .filter((l) => l.level === 50)
      .map((l) => l.msg);
    expect(errors).toContain(
      '401: Error pushing build status to Zulip: {"result":"error","msg":"Invalid API key","code":"INVALID_API_KEY"}',
    );
    expect(h.logs.join('\n')).not.toContain('wrong-key-0000');
    expect(JSON.stringify(h.deliveries)).not.toContain('wrong-key-0000');
  });

  it('a 500 and a 429 with Retry-After are retried by core, each logged as Buildbot does; start still before end', async () => {
    server = await zulip();
    server.queue(
      { status: 500, body: 'upstream down' },
      { status: 429, headers: { 'retry-after': '1' }, body: 'slow down' },
    );
    const h = await run({}, [withProject('pass.new', 'p'), withProject('pass.finished', 'p')]);
    expect(posts().map((p) => p.event)).toEqual(['new', 'new', 'new', 'finished']);
    expect(server.requests[2].at - server.requests[1].at).toBeGreaterThanOrEqual(950);
    const errors = logLines(h)
      .filter((l) => l.level === 50)
      .map((l) => l.msg);
    expect(errors).toEqual(
      expect.arrayContaining([
        '500: Error pushing build status to Zulip: upstream down',
        '429: Error pushing build status to Zulip: slow down',
      ]),
    );
    expect(h.deliveries.map((d) => d.outcome.status)).toEqual(['sent', 'sent']);
  });

  it('any status but 200 counts as an error, as in Buildbot: a 204 is logged and not retried', async () => {
    server = await RecordingServer.start(() => ({ status: 204 }));
    const h = await run({}, [withProject('pass.new', 'p')]);
    expect(server.requests).toHaveLength(1);
    expect(h.deliveries[0].outcome).toMatchObject({ status: 'failed', attempts: 1 });
    expect(logLines(h).map((l) => l.msg)).toContain('204: Error pushing build status to Zulip: ');
  });

  it('preview prints the request as sent, api_key masked', async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'config.yaml'),
      'title: Preview\nreporters:\n  - plugin: zulip\n    options: { endpoint: "https://zulip.example/", token: "${ZULIP_KEY}", stream: builds }\n',
    );
    writeFileSync(join(dir, 'event.json'), JSON.stringify(withProject('fail.finished', 'widgets')));
    const result = await runCli(
      ['preview', '--config', join(dir, 'config.yaml'), '--reporter', 'zulip', '--event', join(dir, 'event.json')],
      {
        env: { ZULIP_KEY: TOKEN },
      },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(
      '"url": "https://zulip.example/api/v1/external/buildbot?api_key=********&stream=builds"',
    );
    expect(result.stdout + result.stderr).not.toContain(TOKEN);
  });

  it('config: endpoint and token are required strings (Buildbot: "Endpoint/Token must be a string")', () => {
    const problems = (options: Record<string, unknown>): string => {
      try {
        checkConfig(
          { reporters: [{ plugin: 'zulip', options }] },
          { configDir: fileURLToPath(new URL('..', import.meta.url)) },
        );
        return '';
      } catch (error) {
        return (error as { describe(): string }).describe();
      }
    };
    expect(problems({ endpoint: 42, token: 'abcd' })).toMatch(/options\.endpoint: must be string/);
    expect(problems({ endpoint: 'https://zulip.example.org', token: 42 })).toMatch(/options\.token: must be string/);
    expect(problems({ endpoint: 'https://zulip.example.org' })).toMatch(/token/);
    expect(problems({ endpoint: 'https://zulip.example.org', token: 'abcd', stream: 'builds' })).toBe('');
  });
});
