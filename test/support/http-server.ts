/**
 * A real HTTP server on a free loopback port that records every request and answers as the test
 * says: a queue of one-off replies first, then the default handler (201 `{}` unless set).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  /** Path and query as received, e.g. `/repos/o/r/statuses/abc?x=1`. */
  url: string;
  /** Lower-case names. */
  headers: Record<string, string>;
  body: string;
  /** When it arrived (ms since the epoch). */
  at: number;
}

export interface Reply {
  status?: number;
  headers?: Record<string, string>;
  /** A string is sent as is; anything else as JSON. */
  body?: unknown;
}

export type ReplyHandler = (request: RecordedRequest) => Reply | Promise<Reply>;

export class RecordingServer {
  readonly requests: RecordedRequest[] = [];
  private readonly queued: Reply[] = [];
  private handler: ReplyHandler = () => ({ status: 201, body: {} });

  private constructor(private readonly server: Server) {}

  /** Starts on 127.0.0.1 with a port the system picks. */
  static async start(handler?: ReplyHandler): Promise<RecordingServer> {
    const server = createServer();
    const recorder = new RecordingServer(server);
    if (handler) recorder.handler = handler;
    server.on('request', (req, res) => {
      void readBody(req).then(async (body) => {
        const recorded: RecordedRequest = { method: req.method ?? '', url: req.url ?? '', headers: flatten(req.headers), body, at: Date.now() };
        recorder.requests.push(recorded);
        const reply = recorder.queued.shift() ?? (await recorder.handler(recorded));
        const text = reply.body === undefined ? '' : typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
        const type = typeof reply.body === 'string' || reply.body === undefined ? {} : { 'content-type': 'application/json' };
        res.writeHead(reply.status ?? 200, { ...type, ...reply.headers });
        res.end(text);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return recorder;
  }

  /** `http://127.0.0.1:<port>`. */
  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Answers every request not covered by a queued reply. */
  answer(handler: ReplyHandler): this {
    this.handler = handler;
    return this;
  }

  /** Answers the next requests with these replies, in order. */
  queue(...replies: Reply[]): this {
    this.queued.push(...replies);
    return this;
  }

  /** Requests whose method and path (without query) match. */
  matching(method: string, path: string | RegExp): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method && (typeof path === 'string' ? r.url.split('?')[0] === path : path.test(r.url)));
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function flatten(headers: IncomingMessage['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  return out;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
