import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { BuildbotRestClient } from './rest-client.js';

/** A loopback stand-in for the master's auth: /auth/login (Basic) issues a session; api/v2 accepts only the newest one. */
async function fakeMaster(): Promise<{
  url: string;
  logins: () => number;
  expire: () => void;
  seen: string[];
  server: Server;
}> {
  let generation = 0;
  let logins = 0;
  const seen: string[] = [];
  const server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url} ${req.headers.authorization ?? ''} ${req.headers.cookie ?? ''}`.trim());
    if (req.url === '/auth/login') {
      if (req.headers.authorization !== `Basic ${Buffer.from('alice:pw').toString('base64')}`)
        return void res.writeHead(401).end('Unauthorized');
      generation += 1;
      logins += 1;
      res
        .writeHead(302, {
          location: '/#/',
          'set-cookie': ['TWISTED_SESSION=anonymous; Path=/', `TWISTED_SESSION=session-${generation}; Path=/`],
        })
        .end();
      return;
    }
    const bearer = req.headers.authorization === 'Bearer t0ken';
    if (!bearer && req.headers.cookie !== `TWISTED_SESSION=session-${generation}`)
      return void res.writeHead(403).end('{"error": "you need to have role \'admins\'"}');
    if (req.url === '/api/v2/builders/9') return void res.writeHead(404).end('{"error": "not found"}');
    if (req.method === 'POST')
      return void res
        .writeHead(200)
        .end('{"jsonrpc": "2.0", "id": 1, "error": {"code": -32602, "message": "no such builder"}}');
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end('{"builders": [{"builderid": 1, "name": "pass"}], "meta": {"total": 1}}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    logins: () => logins,
    expire: () => (generation += 1),
    seen,
    server,
  };
}

let server: Server | undefined;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

describe('the REST client', () => {
  it('logs in once, keeps the session, and logs in again when the master refuses an expired one', async () => {
    const master = await fakeMaster();
    server = master.server;
    const client = new BuildbotRestClient({ url: master.url, user: 'alice', password: 'pw' });
    expect(await client.list('builders', 'builders')).toEqual([{ builderid: 1, name: 'pass' }]);
    expect(await client.one('builders/1', 'builders')).toEqual({ builderid: 1, name: 'pass' });
    expect(master.logins()).toBe(1);
    master.expire();
    expect(await client.list('builders', 'builders')).toHaveLength(1);
    expect(master.logins()).toBe(2);
    expect(await client.get('builders/9')).toBeUndefined();
    client.close();
  });

  it('a wrong password is an auth error that does not carry the password', async () => {
    const master = await fakeMaster();
    server = master.server;
    const client = new BuildbotRestClient({ url: `${master.url}/`, user: 'alice', password: 'wrong-pw' });
    const error = await client.get('builders').catch((e: unknown) => e as Error & { code: string });
    expect(error).toMatchObject({ code: 'BBR_BUILDBOT_AUTH' });
    expect((error as Error).message).toContain('wrong user or password');
    expect((error as Error).message).not.toContain('wrong-pw');
    client.close();
  });

  it('a token is sent as a bearer token; JSON-RPC errors name the method and the message', async () => {
    const master = await fakeMaster();
    server = master.server;
    const client = new BuildbotRestClient({ url: master.url, token: 't0ken' });
    expect(await client.list('builders', 'builders')).toHaveLength(1);
    expect(master.seen[0]).toBe('GET /api/v2/builders Bearer t0ken');
    await expect(client.rpc('forceschedulers/force', 'force', {})).rejects.toThrow(
      /force on .*forceschedulers\/force failed: no such builder/,
    );
    client.close();
  });

  it('an unreachable master is an API error naming the URL', async () => {
    const client = new BuildbotRestClient({ url: 'http://127.0.0.1:9/' });
    await expect(client.get('builders')).rejects.toMatchObject({
      code: 'BBR_BUILDBOT_API',
      message: expect.stringContaining('http://127.0.0.1:9/api/v2/builders'),
    });
    client.close();
  });
});
