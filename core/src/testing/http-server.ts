/**
 * A real HTTP server on 127.0.0.1 and a free port, for tests: records every request and answers
 * it with the next queued one-off reply, else with the handler's (201 `{}` unless set).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  /** Path and query as received, e.g. `/repos/o/r/statuses/abc?x=1`. */
  url: string;
  /** Lower-case names; repeated headers joined with `, `. */
  headers: Record<string, string>;
  body: string;
  /** When it arrived (ms since the epoch). */
  at: number;
}

export interface Reply {
  /** Default 200. */
  status?: number;
  headers?: Record<string, string>;
  /** A string is sent as is; anything else as JSON, with `content-type: application/json`. */
  body?: unknown;
  /** Wait this long before answering. */
  delayMs?: number;
}

/** Decides the reply to a request; `index` is its place in `requests`. */
export type ReplyHandler = (request: RecordedRequest, index: number) => Reply | Promise<Reply>;

export class RecordingServer {
  /** Every request so far, in arrival order. */
  readonly requests: RecordedRequest[] = [];
  private readonly queued: Reply[] = [];
  private handler: ReplyHandler = () => ({ status: 201, body: {} });
  private answering = 0;
  private mostAnswering = 0;

  private constructor(private readonly server: Server) {}

  /** Starts on 127.0.0.1 with a port the system picks; `handler` answers every request not covered by a queued reply. */
  static async start(handler?: ReplyHandler): Promise<RecordingServer> {
    const server = createServer();
    const recorder = new RecordingServer(server);
    if (handler) recorder.handler = handler;
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      // A request whose client went away before its body arrived has nobody to answer.
      recorder.respond(req, res).catch(() => res.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return recorder;
  }

  /** `http://127.0.0.1:<port>`. */
  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Requests being answered right now (received, reply not yet sent). */
  get inFlight(): number {
    return this.answering;
  }

  /** The most requests that were being answered at once. */
  get maxInFlight(): number {
    return this.mostAnswering;
  }

  /** Answers every request not covered by a queued reply. */
  answer(handler: ReplyHandler): this {
    this.handler = handler;
    return this;
  }

  /** Answers the next requests with these replies, in order, before the handler is asked again. */
  queue(...replies: Reply[]): this {
    this.queued.push(...replies);
    return this;
  }

  /** Requests whose method matches and whose path (without the query) is `path`, or whose url matches the pattern. */
  matching(method: string, path: string | RegExp): RecordedRequest[] {
    return this.requests.filter(
      (r) => r.method === method && (typeof path === 'string' ? r.url.split('?')[0] === path : path.test(r.url)),
    );
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async respond(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const recorded: RecordedRequest = {
      method: req.method ?? '',
      url: req.url ?? '',
      headers: flatten(req.headers),
      body,
      at: Date.now(),
    };
    const index = this.requests.push(recorded) - 1;
    this.answering++;
    this.mostAnswering = Math.max(this.mostAnswering, this.answering);
    try {
      const reply = this.queued.shift() ?? (await this.handler(recorded, index));
      if (reply.delayMs) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
      const text =
        reply.body === undefined ? '' : typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
      const type =
        reply.body === undefined || typeof reply.body === 'string' ? {} : { 'content-type': 'application/json' };
      res.writeHead(reply.status ?? 200, { ...type, ...reply.headers });
      res.end(text);
    } catch (error) {
      // A handler that throws is a broken test: answer 500 with the error instead of leaving the client waiting.
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`the test server's handler failed: ${String(error)}`);
    } finally {
      this.answering--;
    }
  }
}

function flatten(headers: IncomingMessage['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers))
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
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
