/**
 * One websocket connection to the master's data API (`<url>ws`): `startConsuming` for each path,
 * resolved once every path is acknowledged; then each event `{k, m}` goes to `onEvent`. A ping
 * every `pingIntervalMs` that gets no answer within the same time ends the connection, so a
 * silently dead link is noticed and the source reconnects.
 */
import type WebSocket from 'ws';
import { reasonOf } from '../../diagnostics/errors.js';

export interface DataApiEvent {
  /** Routing key, e.g. `builds/12/finished`. */
  k: string;
  m: Record<string, unknown>;
}

export interface DataApiConnectionOptions {
  /** ws:// or wss:// URL of the master's `/ws`. */
  url: string;
  headers: Record<string, string>;
  paths: readonly string[];
  onEvent: (event: DataApiEvent) => void;
  pingIntervalMs: number;
  /** Milliseconds to wait for the handshake and the acks. */
  openTimeoutMs: number;
}

/** ws(s)://host/ws for the master's web URL. */
export function websocketUrl(baseUrl: string): string {
  return `${baseUrl.replace(/^http/, 'ws')}ws`;
}

export class DataApiConnection {
  /** Resolves (never rejects) with the reason once the connection is gone. */
  readonly closed: Promise<string>;
  private pingTimer?: NodeJS.Timeout;
  /** When the last message came (ms since the epoch; the opening counts as one). */
  lastMessageAt = Date.now();

  private constructor(
    private readonly socket: WebSocket,
    closed: Promise<string>,
  ) {
    this.closed = closed;
  }

  static async open(options: DataApiConnectionOptions): Promise<DataApiConnection> {
    // ws (22 modules) is imported by the first connection: core's index re-exports this source for every plugin.
    const { default: WebSocket } = await import('ws');
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(options.url, { headers: options.headers, handshakeTimeout: options.openTimeoutMs });
      let settled = false;
      let resolveClosed!: (reason: string) => void;
      const closed = new Promise<string>((r) => (resolveClosed = r));
      const connection = new DataApiConnection(socket, closed);
      const pending = new Map<number, string>();
      const fail = (reason: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        socket.terminate();
        reject(new Error(reason));
      };
      const timer = setTimeout(
        () => fail(`no answer from ${options.url} within ${options.openTimeoutMs} ms`),
        options.openTimeoutMs,
      );

      socket.on('open', () => {
        options.paths.forEach((path, index) => {
          pending.set(index + 1, path);
          socket.send(JSON.stringify({ cmd: 'startConsuming', path, _id: index + 1 }));
        });
      });
      socket.on('message', (data) => {
        connection.lastMessageAt = Date.now();
        let frame: { k?: unknown; m?: unknown; _id?: unknown; code?: unknown; msg?: unknown; error?: unknown };
        try {
          frame = JSON.parse(data.toString()) as typeof frame;
        } catch {
          return;
        }
        if (typeof frame.k === 'string' && typeof frame.m === 'object' && frame.m !== null) {
          options.onEvent({ k: frame.k, m: frame.m as Record<string, unknown> });
          return;
        }
        if (typeof frame._id === 'number' && pending.has(frame._id)) {
          const path = pending.get(frame._id)!;
          pending.delete(frame._id);
          if (frame.code !== 200)
            return fail(`startConsuming ${path} was refused: ${JSON.stringify(frame.error ?? frame)}`);
          if (pending.size === 0 && !settled) {
            settled = true;
            clearTimeout(timer);
            connection.startPinging(options.pingIntervalMs);
            resolve(connection);
          }
        }
      });
      socket.on('unexpected-response', (_request, response) =>
        fail(`${options.url} answered the websocket handshake with ${response.statusCode}`),
      );
      socket.on('error', (error) => fail(`${options.url}: ${reasonOf(error)}`));
      socket.on('close', (code, reason) => {
        clearInterval(connection.pingTimer);
        fail(`${options.url} closed the connection (${code})`);
        resolveClosed(`closed (${code}${reason.length ? ` ${reason.toString()}` : ''})`);
      });
    });
  }

  private startPinging(intervalMs: number): void {
    let id = 1_000_000;
    this.pingTimer = setInterval(() => {
      if (Date.now() - this.lastMessageAt > 2 * intervalMs) {
        this.socket.terminate();
        return;
      }
      this.socket.send(JSON.stringify({ cmd: 'ping', _id: id++ }));
    }, intervalMs);
    this.pingTimer.unref();
  }

  get isOpen(): boolean {
    return this.socket.readyState === this.socket.OPEN;
  }

  close(): void {
    clearInterval(this.pingTimer);
    this.socket.terminate();
  }
}
