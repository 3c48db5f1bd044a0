import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { normaliseEvent } from '../events/envelope.js';
import type { BuildPayload } from '../events/events.js';
import { BuildbotRestClient } from './rest-client.js';
import { fixture } from '../testing/fixtures.js';
import { RestEnricher } from './rest-enricher.js';

/** A loopback REST API answering from `routes` (path without api/v2 → body); every request is recorded. */
async function fakeApi(routes: Record<string, unknown>): Promise<{ url: string; requests: string[]; server: Server }> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const path = (req.url ?? '').replace(/^\/api\/v2\//, '').replace(/\?.*$/, '');
    requests.push(path);
    const body = routes[path];
    if (body === undefined) return void res.writeHead(404).end('{"error": "not found"}');
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, requests, server };
}

const build = (number: number, results: number | null) => ({
  buildid: 100 + number,
  number,
  builderid: 1,
  buildrequestid: 1,
  workerid: 1,
  masterid: 1,
  started_at: 1,
  complete: results !== null,
  complete_at: results === null ? null : 2,
  results,
  state_string: '',
});

let server: Server | undefined;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

describe('REST enrichment', () => {
  it("prev_build is Buildbot's getPreviousBuild: skips RETRY builds and missing numbers", async () => {
    const api = await fakeApi({
      'builders/1/builds/7': { builds: [build(7, 5)] },
      'builders/1/builds/5': { builds: [build(5, 2)] },
    });
    server = api.server;
    const enricher = new RestEnricher(new BuildbotRestClient({ url: api.url }));
    const payload = {
      ...build(8, 0),
      properties: { a: [1, 'x'] },
      builder: { builderid: 1, name: 'b' },
      buildrequest: { buildrequestid: 1, buildsetid: 1, builderid: 1 },
      buildset: { bsid: 1, reason: '', sourcestamps: [], complete: false, results: -1 },
    } as unknown as BuildPayload;
    const out = await enricher.buildPayload(payload, new Set(['prev_build']));
    expect(out.prev_build).toMatchObject({ number: 5, results: 2 });
    expect(api.requests).toEqual(['builders/1/builds/7', 'builders/1/builds/6', 'builders/1/builds/5']);
  });

  it('fills only what is missing: an HttpStatusPush body with steps costs no steps request', async () => {
    const body = fixture('warn.finished');
    const api = await fakeApi({
      [`builds/${body.buildid}/changes`]: { changes: [{ changeid: 1, author: 'Zed <z@example.test>' }] },
    });
    server = api.server;
    const enricher = new RestEnricher(new BuildbotRestClient({ url: api.url }), {
      buildbotURL: 'https://ci.example.org/',
    });
    const event = await enricher.enrich(normaliseEvent(body), new Set(['steps', 'prev_build', 'changes', 'blamelist']));
    const payload = event.payload as BuildPayload;
    expect(api.requests).toEqual([`builds/${body.buildid}/changes`]);
    expect(payload.steps).toEqual(body.steps);
    expect(payload.url).toBe(body.url);
    expect(payload.blamelist).toEqual(['Zed <z@example.test>']);
  });

  it('a websocket build message (empty properties, nothing else) becomes a full payload with the 3.7 build URL', async () => {
    const api = await fakeApi({
      'builds/108/properties': { properties: [{ owner: ['dora', 'Force Build Form'] }] },
      'builders/1': { builders: [{ builderid: 1, name: 'pass', tags: [] }] },
      'buildrequests/1': { buildrequests: [{ buildrequestid: 1, buildsetid: 4, builderid: 1 }] },
      'buildsets/4': {
        buildsets: [{ bsid: 4, reason: 'r', sourcestamps: [], complete: false, results: -1, parent_buildid: null }],
      },
    });
    server = api.server;
    const enricher = new RestEnricher(new BuildbotRestClient({ url: api.url }), {
      buildbotURL: 'https://ci.example.org/',
    });
    const out = await enricher.buildPayload({ ...build(8, 0), properties: {} });
    expect(out).toMatchObject({
      properties: { owner: ['dora', 'Force Build Form'] },
      builder: { name: 'pass' },
      buildset: { bsid: 4 },
      buildrequest: { buildsetid: 4 },
      url: 'https://ci.example.org/#builders/1/builds/8',
    });
    expect(out).not.toHaveProperty('parentbuild');
  });

  it("a build's finish reuses its start's request and buildset, and the changes fetched while it ran", async () => {
    const change = { changeid: 3, author: 'Dora Dev <dora@example.test>', revision: 'c0ffee' };
    const api = await fakeApi({
      'builds/108/properties': { properties: [{}] },
      'builders/1': { builders: [{ builderid: 1, name: 'pass', tags: [] }] },
      'buildrequests/1': { buildrequests: [{ buildrequestid: 1, buildsetid: 4, builderid: 1 }] },
      'buildsets/4': {
        buildsets: [{ bsid: 4, reason: 'r', sourcestamps: [], complete: false, results: -1, parent_buildid: null }],
      },
      'builds/108/changes': { changes: [change] },
    });
    server = api.server;
    const enricher = new RestEnricher(new BuildbotRestClient({ url: api.url }));
    enricher.plan(new Map([['buildFinished', new Set(['changes'] as const)]]));
    await enricher.buildPayload({ ...build(8, null), properties: {} }); // the start: no needs of its own
    await new Promise((resolve) => setTimeout(resolve, 50)); // the changes arrive while it runs
    expect(api.requests.sort()).toEqual([
      'builders/1',
      'buildrequests/1',
      'builds/108/changes',
      'builds/108/properties',
      'buildsets/4',
    ]);
    api.requests.length = 0;
    const finished = await enricher.buildPayload(
      { ...build(8, 0), properties: {} },
      enricher.plannedNeeds('buildFinished'),
    );
    expect(finished).toMatchObject({ changes: [change], buildset: { bsid: 4 }, buildrequest: { buildsetid: 4 } });
    expect(api.requests).toEqual(['builds/108/properties']); // properties may change while a build runs
    // Once: a second finish of the same build (a redelivery) asks again.
    await enricher.buildPayload({ ...build(8, 0), properties: {} }, enricher.plannedNeeds('buildFinished'));
    expect(api.requests).toContain('builds/108/changes');
  });

  it("logs fetches each step's log list; only log_contents fetches the logs' text", async () => {
    const body = fixture('warn.finished');
    const steps = (body.steps as Array<Record<string, unknown>>).map(({ logs: _logs, ...step }) => step);
    const routes: Record<string, unknown> = {};
    for (const step of steps)
      routes[`steps/${step.stepid}/logs`] = {
        logs: [
          {
            logid: Number(step.stepid) * 10,
            name: 'stdio',
            slug: 'stdio',
            stepid: step.stepid,
            type: 's',
            complete: true,
            num_lines: 1,
          },
        ],
      };
    for (const step of steps)
      routes[`logs/${Number(step.stepid) * 10}/contents`] = { logchunks: [{ content: `text of step ${step.stepid}` }] };
    const api = await fakeApi(routes);
    server = api.server;
    const enricher = new RestEnricher(new BuildbotRestClient({ url: api.url }));
    const listed = (await enricher.enrich(normaliseEvent({ ...body, steps }), new Set(['steps', 'logs'])))
      .payload as BuildPayload;
    expect(listed.steps!.map((s) => s.logs!.map((l) => [l.name, l.content]))).toEqual(
      steps.map(() => [['stdio', undefined]]),
    );
    expect(api.requests.some((r) => r.startsWith('logs/'))).toBe(false);
    const withText = (
      await enricher.enrich(normaliseEvent({ ...body, steps }), new Set(['steps', 'logs', 'log_contents']))
    ).payload as BuildPayload;
    expect(withText.steps!.map((s) => s.logs![0].content)).toEqual(steps.map((s) => `text of step ${s.stepid}`));
  });

  it("a step that finishes while its build runs has its logs read then, once, for the build's finish", async () => {
    const log = { logid: 70, name: 'stdio', slug: 'stdio', stepid: 7, type: 's', complete: true, num_lines: 1 };
    const step = { stepid: 7, number: 0, name: 'compile', buildid: 108, complete: true, results: 0 };
    const api = await fakeApi({
      'steps/7/logs': { logs: [log] },
      'logs/70/contents': { logchunks: [{ content: 'compiled' }] },
      'builds/108/steps': { steps: [step] },
    });
    server = api.server;
    const enricher = new RestEnricher(new BuildbotRestClient({ url: api.url }));
    enricher.plan(new Map([['buildFinished', new Set(['steps', 'logs', 'log_contents'] as const)]]));
    enricher.stepFinished(step as never);
    await expect.poll(() => api.requests.length).toBe(2);
    expect(api.requests).toEqual(['steps/7/logs', 'logs/70/contents']);
    const finished = await enricher.buildPayload(
      {
        ...build(8, 2),
        properties: { a: [1, 'x'] },
        builder: { builderid: 1, name: 'b' },
        buildrequest: { buildrequestid: 1, buildsetid: 1, builderid: 1 },
        buildset: { bsid: 1, reason: '', sourcestamps: [], complete: false, results: -1 },
      } as unknown as BuildPayload,
      new Set(['steps', 'logs', 'log_contents']),
    );
    expect(finished.steps![0].logs![0].content).toBe('compiled');
    expect(api.requests).toEqual(['steps/7/logs', 'logs/70/contents', 'builds/108/steps']);
  });
});
