/**
 * The `http` source: a POST endpoint for Buildbot's HttpStatusPush bodies and event envelopes,
 * plus `GET /healthz` and what the service adds behind the same credentials (`/metrics`,
 * `/deliveries/ID`, `/events/ID`, the console). Every bad request gets its own status (400 malformed
 * JSON, 401 bad credentials, 413 too large, 422 invalid event) and the server keeps serving; a 2xx
 * answer means the event was accepted (dispatched to every reporter), and names each delivery with
 * the URL that follows it.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BbrError, isBbrError, reasonOf } from '../diagnostics/errors.js';
import type { HttpSourceConfig } from '../generated/schemas.js';
import type { Logger } from '../diagnostics/logger.js';
import type { SourceType } from './source.js';
import { httpStatusPushEvents } from '../events/envelope.js';
import { DELIVERY_PATH, type EventSink, type ServiceEndpoint, type Source } from './source.js';

export const DEFAULT_LISTEN = '127.0.0.1:8020';
export const DEFAULT_MAX_BODY_BYTES = 5 * 1024 * 1024;

/** `127.0.0.1:8020`, `[::1]:8020`, `:8020` (all interfaces) → host and port. */
export function parseListen(listen: string): { host: string; port: number } | undefined {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(listen);
  if (!m) return undefined;
  const port = Number(m[3]);
  if (port > 65535) return undefined;
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port };
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function hasAuth(config: HttpSourceConfig): boolean {
  return config.token !== undefined || config.user !== undefined;
}

export const httpSourceType: SourceType<HttpSourceConfig> = {
  check(config) {
    const problems: Array<{ path: string; message: string }> = [];
    const listen = parseListen(config.listen ?? DEFAULT_LISTEN);
    if (!listen) problems.push({ path: 'listen', message: 'must be host:port, e.g. 127.0.0.1:8020 or [::1]:8020' });
    else if (!isLoopback(listen.host) && !hasAuth(config)) {
      problems.push({
        path: 'listen',
        message: `${listen.host} is not a loopback address, so clients must authenticate: set token (bearer) or user and password (HTTP Basic)`,
      });
    }
    if ((config.user === undefined) !== (config.password === undefined)) {
      problems.push({
        path: config.user === undefined ? 'user' : 'password',
        message: 'user and password go together (HTTP Basic): set both or neither',
      });
    }
    return problems;
  },
  events: httpStatusPushEvents,
  describe(config) {
    const listen = config.listen ?? DEFAULT_LISTEN;
    const auth = [...(config.token ? ['bearer token'] : []), ...(config.user ? ['HTTP Basic'] : [])];
    return `http   POST http://${listen}${config.path ?? '/'} (auth: ${auth.join(' or ') || `none, ${parseListen(listen)?.host} is loopback`})`;
  },
  create: (config, context) => new HttpSource(config, context.logger, context.endpoints),
};

/** A request that must end with `status`; the message is the reason given to the client. */
class Refusal extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** Compares secrets in constant time (equal-length digests). */
function same(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

export class HttpSource implements Source {
  readonly type = 'http';
  private server: Server | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly path: string;
  private readonly maxBodyBytes: number;

  constructor(
    private readonly config: HttpSourceConfig,
    private readonly logger: Logger,
    private readonly endpoints: readonly ServiceEndpoint[] = [],
  ) {
    this.path = config.path ?? '/';
    this.maxBodyBytes = config.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    const problems = httpSourceType.check?.(config, { configDir: '.' }) ?? [];
    if (problems.length)
      throw new BbrError(
        'BBR_CONFIG_INVALID',
        `http source: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
      );
  }

  /** The bound address (the real port when `listen` asked for port 0). */
  address(): { host: string; port: number; url: string } {
    const address = this.server?.address() as AddressInfo | null | undefined;
    if (!address) throw new Error('the http source is not listening');
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return { host: address.address, port: address.port, url: `http://${host}:${address.port}${this.path}` };
  }

  async start(sink: EventSink): Promise<void> {
    const { host, port } = parseListen(this.config.listen ?? DEFAULT_LISTEN)!;
    // Node enforces its header and request timeouts on this interval (default 30 s): check each second.
    const server = createServer({ connectionsCheckingInterval: 1000 }, (req, res) => {
      const handled = this.handle(req, res, sink).catch((error: unknown) => {
        this.logger.error({ err: error }, 'http source: request handling failed');
        if (!res.headersSent) this.reply(res, 500, { error: 'internal error' });
        else res.destroy();
      });
      this.inFlight.add(handled);
      void handled.finally(() => this.inFlight.delete(handled));
    });
    server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
      // Unparseable HTTP: 400; headers or body too slow (the server's timeouts): 408. On the raw socket when it is still writable.
      const status = error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request';
      const answered = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent === true;
      if (socket.writable && !answered)
        socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      else socket.destroy();
      this.logger.debug({ err: error }, 'http source: client error');
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error) =>
        reject(
          new BbrError('BBR_SOURCE_START', `http source could not listen on ${host}:${port}: ${reasonOf(error)}`, {
            cause: error,
          }),
        ),
      );
      server.listen(port, host, () => resolve());
    });
    server.on('error', (error) => this.logger.error({ err: error }, 'http source: server error'));
    this.server = server;
    this.logger.info({ source: 'http', url: this.address().url, auth: this.authKinds() }, 'http source listening');
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    await Promise.allSettled([...this.inFlight]);
    server.closeAllConnections();
    await closed;
  }

  private authKinds(): string[] {
    return [
      ...(this.config.token !== undefined ? ['bearer'] : []),
      ...(this.config.user !== undefined ? ['basic'] : []),
    ];
  }

  private async handle(req: IncomingMessage, res: ServerResponse, sink: EventSink): Promise<void> {
    const pathname = pathOf(req);
    try {
      if (pathname === undefined) throw new Refusal(400, 'the request target is not a path (e.g. /)');
      if (pathname === '/healthz') {
        if (req.method !== 'GET' && req.method !== 'HEAD') throw new Refusal(405, 'use GET for /healthz');
        this.reply(res, 200, { status: 'ok' });
        return;
      }
      const endpoint = pathname === this.path ? undefined : this.endpointFor(pathname);
      if (endpoint) {
        const method = req.method === 'HEAD' ? 'GET' : (req.method ?? 'GET');
        if (!endpoint.methods.includes(method))
          throw new Refusal(405, `use ${endpoint.methods.join(' or ')} for ${endpoint.path}`);
        // Behind the same credentials as events (open, like events, on a loopback source without auth),
        // except a reporter's web-hook, which checks the service's own secret.
        if (!endpoint.open) this.authenticate(req);
        await endpoint.handle(req, res, new URL(req.url ?? '/', 'http://localhost'));
        return;
      }
      if (pathname !== this.path) throw new Refusal(404, `no such endpoint: POST events to ${this.path}`);
      if (req.method !== 'POST') throw new Refusal(405, `use POST to send events to ${this.path}`);
      this.authenticate(req);
      const input = parseJson(await this.readBody(req));
      let result;
      try {
        result = await sink(input);
      } catch (error) {
        if (isBbrError(error) && error.code === 'BBR_EVENT_INVALID') {
          const fields = error.details.map((d) => `${d.path}: ${d.message}`);
          throw new Refusal(
            422,
            `${error.message}${fields.length ? `: ${fields.join('; ')}` : ''}`,
            error.details.map(({ path, message }) => ({ path, message })),
          );
        }
        throw new Refusal(503, `the event could not be accepted: ${reasonOf(error)}`);
      }
      this.reply(res, 200, this.withDeliveryLinks(result));
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      this.logger.warn(
        { source: 'http', status: error.status, method: req.method, path: pathname, reason: error.message },
        'http source: request refused',
      );
      this.refuse(req, res, error);
    }
  }

  /** The endpoint serving `pathname`: an exact path, or a prefix (`/ui/` also answers `/ui`). */
  private endpointFor(pathname: string): ServiceEndpoint | undefined {
    return this.endpoints.find((e) =>
      e.path.endsWith('/') ? pathname.startsWith(e.path) || pathname === e.path.slice(0, -1) : pathname === e.path,
    );
  }

  /** Each delivery id of the answer with where to follow it, when the service serves deliveries. */
  private withDeliveryLinks(result: Awaited<ReturnType<EventSink>>): unknown {
    if (!this.endpoints.some((e) => e.path === DELIVERY_PATH)) return result;
    return {
      ...result,
      outcomes: result.outcomes.map((o) =>
        o.deliveries
          ? { ...o, deliveries: o.deliveries.map((id) => ({ id, url: `${DELIVERY_PATH}${encodeURIComponent(id)}` })) }
          : o,
      ),
    };
  }

  private authenticate(req: IncomingMessage): void {
    const { token, user, password } = this.config;
    if (token === undefined && user === undefined) return;
    const header = req.headers.authorization ?? '';
    // Exactly RFC 6750's `Bearer <b64token>` and RFC 7617's `Basic <base64>`: one space, nothing after.
    const [, scheme = '', value = ''] = /^(Bearer|Basic) ([A-Za-z0-9\-._~+/]+=*)$/i.exec(header) ?? [];
    if (token !== undefined && scheme.toLowerCase() === 'bearer' && same(value, token)) return;
    if (user !== undefined && password !== undefined && scheme.toLowerCase() === 'basic') {
      const decoded = Buffer.from(value, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon >= 0 && same(decoded.slice(0, colon), user) && same(decoded.slice(colon + 1), password)) return;
    }
    throw new Refusal(401, header ? 'wrong credentials' : `credentials required (${this.authKinds().join(' or ')})`);
  }

  /** The body, or 413 as soon as it passes the limit (whether Content-Length says so or the chunks do). */
  private readBody(req: IncomingMessage): Promise<string> {
    const limit = this.maxBodyBytes;
    const tooLarge = () => new Refusal(413, `the body is larger than the limit of ${limit} bytes (maxBodyBytes)`);
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) return Promise.reject(tooLarge());
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const onData = (chunk: Buffer) => {
        size += chunk.length;
        if (size > limit) {
          req.off('data', onData);
          reject(tooLarge());
          return;
        }
        chunks.push(chunk);
      };
      req.on('data', onData);
      req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      // The client's fault (a reset, the server's request timeout): refused and logged as such, not a server error.
      req.on('error', (error) => reject(new Refusal(400, `the request body could not be read: ${reasonOf(error)}`)));
      // A client that goes away mid-body must not leave the request pending (close() waits for it).
      req.on('close', () => {
        if (!req.complete) reject(new Refusal(400, 'the client closed the connection before sending the whole body'));
      });
    });
  }

  private reply(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const text = `${JSON.stringify(body)}\n`;
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(text),
      ...headers,
    });
    res.end(text);
  }

  /** The methods a path answers, for a 405's Allow header. */
  private allowed(pathname: string | undefined): string {
    if (pathname === this.path) return 'POST';
    const endpoint = pathname === undefined ? undefined : this.endpointFor(pathname);
    const methods = endpoint?.methods ?? ['GET'];
    return [...methods, ...(methods.includes('GET') ? ['HEAD'] : [])].join(', ');
  }

  private refuse(req: IncomingMessage, res: ServerResponse, refusal: Refusal): void {
    const headers: Record<string, string> = {};
    if (refusal.status === 401)
      headers['www-authenticate'] = this.authKinds()
        .map((k) => (k === 'basic' ? 'Basic realm="bbreporters"' : 'Bearer realm="bbreporters"'))
        .join(', ');
    if (refusal.status === 405) headers.allow = this.allowed(pathOf(req));
    if (!req.complete) {
      // The rest of the body is not wanted: close the connection after answering, and discard
      // what is still arriving meanwhile so the client reads the answer rather than a reset.
      headers.connection = 'close';
      req.resume();
    }
    this.reply(
      res,
      refusal.status,
      { error: refusal.message, ...(refusal.details ? { details: refusal.details } : {}) },
      headers,
    );
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new Refusal(400, `malformed JSON: ${(error as Error).message}`);
  }
}

/** The request target's path, or undefined when it is none (`//`, `http://[`, an absolute URL of another form). */
function pathOf(req: IncomingMessage): string | undefined {
  const target = req.url ?? '/';
  if (!target.startsWith('/') || target.startsWith('//')) return undefined;
  try {
    return new URL(target, 'http://localhost').pathname;
  } catch {
    return undefined;
  }
}
