import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebhookRoutes } from './webhooks.js';

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

/** The routes' endpoint behind a real HTTP server, as the http source serves it. */
async function serve(routes: WebhookRoutes): Promise<string> {
  server = createServer((req, res) => void routes.endpoint.handle(req, res, new URL(req.url ?? '/', 'http://x')));
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('WebhookRoutes', () => {
  it('serves each reporter its path until it is removed; a reload replaces the handler', async () => {
    const routes = new WebhookRoutes(true);
    expect(routes.endpoint.open).toBe(true);
    expect(routes.add('tg one', async (_req, res) => void res.end('first'))).toBe('/hooks/tg%20one');
    const base = await serve(routes);
    expect(await (await fetch(`${base}/hooks/tg%20one`, { method: 'POST' })).text()).toBe('first');
    routes.add('tg one', async (_req, res) => void res.end('second'));
    expect(await (await fetch(`${base}/hooks/tg%20one`, { method: 'POST' })).text()).toBe('second');
    routes.remove('tg one');
    const gone = await fetch(`${base}/hooks/tg%20one`, { method: 'POST' });
    expect([gone.status, await gone.json()]).toEqual([404, { error: 'no such web-hook' }]);
  });

  it('gives no path without an http source to serve it', () => {
    expect(new WebhookRoutes(false).add('tg', async () => undefined)).toBeUndefined();
  });
});
