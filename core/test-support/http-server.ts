/**
 * A real HTTP server on 127.0.0.1 and a free port for tests: records every request (method, url,
 * headers, body, arrival time) and answers with whatever `respond` decides.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
}

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  /** Wait this long before answering. */
  delayMs?: number;
}

export interface LoopbackServer {
  url: string;
  requests: RecordedRequest[];
  /** Requests being answered right now, and the most at once. */
  inFlight: number;
  maxInFlight: number;
  close(): Promise<void>;
}

export async function startServer(respond: (request: RecordedRequest, index: number) => Reply | Promise<Reply>): Promise<LoopbackServer> {
  const state: LoopbackServer = { url: '', requests: [], inFlight: 0, maxInFlight: 0, close: async () => undefined };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const recorded: RecordedRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
      const index = state.requests.push(recorded) - 1;
      state.inFlight++;
      state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
      try {
        const reply = await respond(recorded, index);
        if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
        res.writeHead(reply.status, reply.headers ?? {});
        res.end(reply.body ?? '');
      } catch (error) {
        res.writeHead(599);
        res.end(String(error));
      } finally {
        state.inFlight--;
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}
