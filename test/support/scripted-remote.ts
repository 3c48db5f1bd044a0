/** A loopback remote for a reporter: answers each request with the status `statusOf(n)` gives (n counts from 0), and counts them. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ScriptedRemote {
  url: string;
  server: Server;
  hits: () => number;
}

export async function scriptedRemote(statusOf: (n: number) => number, body = ''): Promise<ScriptedRemote> {
  let hits = 0;
  const server = createServer((req, res) => {
    req.resume();
    res.writeHead(statusOf(hits++)).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, server, hits: () => hits };
}

/** A config's reporter entry: the real http-status-push to `url`, retrying fast. */
export function httpStatusPushEntry(name: string, url: string): string {
  return `  - plugin: '@bbreporters/http-status-push'\n    name: ${name}\n    options: { serverUrl: '${url}' }\n    delivery: { baseDelayMs: 10, maxDelayMs: 20 }\n`;
}
