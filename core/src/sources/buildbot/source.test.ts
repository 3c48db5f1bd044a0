import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { BuildbotSource } from './source.js';

/**
 * A stand-in master: the websocket acks every startConsuming and then sends `frames`; REST answers
 * from `rest(path)` (a status and body), where path has no api/v2 prefix and keeps its query.
 */
async function fakeMaster(
  frames: unknown[],
  rest: (path: string) => [number, unknown],
): Promise<{ url: string; server: Server; wss: WebSocketServer }> {
  const server = createServer((req, res) => {
    const [status, body] = rest((req.url ?? '').replace(/^\/api\/v2\//, ''));
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  const wss = new WebSocketServer({ server, path: '/ws' });
  wss.on('connection', (socket) => {
    let acks = 0;
    socket.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as { cmd: string; _id: number };
      socket.send(JSON.stringify({ msg: 'OK', code: 200, _id: frame._id }));
      if (frame.cmd === 'startConsuming' && ++acks === 3) for (const f of frames) socket.send(JSON.stringify(f));
    });
  });
  server.on('close', () => wss.close());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, server, wss };
}

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

describe('the buildbot source', () => {
  it('fails to start with BBR_SOURCE_START naming the master when it cannot be reached', async () => {
    const source = new BuildbotSource({ url: 'http://127.0.0.1:9/', timeoutMs: 2000 });
    await expect(source.start(async () => ({}) as never)).rejects.toMatchObject({
      code: 'BBR_SOURCE_START',
      message: expect.stringMatching(/^buildbot source cannot connect to http:\/\/127\.0\.0\.1:9\/: .*ECONNREFUSED/),
    });
  });

  it('exposes the control API and the enricher before it starts, for the Runtime', () => {
    const source = new BuildbotSource({ url: 'http://127.0.0.1:9' });
    expect(source.type).toBe('buildbot');
    expect(typeof source.master.forceBuild).toBe('function');
    expect(typeof source.enricher.enrich).toBe('function');
  });

  it('an event the REST API could not complete while the connection stays up is retried by a catch-up', async () => {
    const build = {
      buildid: 1,
      number: 1,
      builderid: 1,
      buildrequestid: 1,
      workerid: 1,
      masterid: 1,
      started_at: 1,
      complete: true,
      complete_at: 2,
      results: 0,
      state_string: 'build successful',
      properties: {},
    };
    let propertyCalls = 0;
    const master = await fakeMaster([{ k: 'builds/1/finished', m: build }], (path) => {
      if (path.startsWith('builds/1/properties'))
        return ++propertyCalls === 1
          ? [500, { error: 'database is locked' }]
          : [200, { properties: [{ owner: ['dora', 'Force Build Form'] }] }];
      if (path.startsWith('builds/1?'))
        return [200, { builds: [{ ...build, properties: { owner: ['dora', 'Force Build Form'] } }] }];
      if (path.startsWith('builders/1')) return [200, { builders: [{ builderid: 1, name: 'pass' }] }];
      if (path.startsWith('buildrequests/1'))
        return [200, { buildrequests: [{ buildrequestid: 1, buildsetid: 1, builderid: 1 }] }];
      if (path.startsWith('buildsets/1'))
        return [200, { buildsets: [{ bsid: 1, reason: 'r', sourcestamps: [], complete: false, results: -1 }] }];
      if (path.startsWith('builds') || path.startsWith('buildsets')) return [200, { builds: [], buildsets: [] }];
      return [404, { error: 'not found' }];
    });
    server = master.server;
    const received: Array<{ event: string; id: string; payload: { properties: unknown } }> = [];
    const source = new BuildbotSource({ url: master.url, reconnectDelayMs: 20 });
    await source.start(async (input) => {
      received.push(input as (typeof received)[number]);
      return {} as never;
    });
    try {
      const deadline = Date.now() + 5000;
      while (!received.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(received.map((e) => e.id)).toEqual(['buildFinished:1']);
      expect(received[0].payload.properties).toEqual({ owner: ['dora', 'Force Build Form'] });
      expect(propertyCalls).toBe(1);
    } finally {
      await source.close();
    }
  });

  it('reports its websocket up while connected and down once the master drops it', async () => {
    const master = await fakeMaster([], (path) =>
      path.startsWith('builds') || path.startsWith('buildsets') ? [200, { builds: [], buildsets: [] }] : [404, {}],
    );
    server = master.server;
    const source = new BuildbotSource({ url: master.url, reconnectDelayMs: 60_000 });
    expect(source.connectionState()).toEqual({ up: false });
    const before = Date.now();
    await source.start(async () => ({}) as never);
    try {
      const connected = source.connectionState();
      expect(connected.up).toBe(true);
      expect(connected.lastMessageAt).toBeGreaterThanOrEqual(before);
      for (const socket of master.wss.clients) socket.terminate();
      const deadline = Date.now() + 5000;
      while (source.connectionState().up && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(source.connectionState().up).toBe(false);
    } finally {
      await source.close();
    }
  });
});
