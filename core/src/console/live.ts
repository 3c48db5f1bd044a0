/**
 * Live refresh: `GET /ui/stream` is a server-sent event stream that says `change` whenever what
 * the console shows changed (the page then fetches its own fragment again). One watcher polls the
 * ledger once a second, and only while some page listens; every stream shares it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LedgerQueries } from '../ledger/ledger.js';

/** How often the ledger is looked at while a page listens. */
export const WATCH_EVERY_MS = 1000;
/** A comment line this often keeps proxies from closing an idle stream. */
const KEEPALIVE_MS = 15_000;

export class ChangeWatcher {
  private readonly listeners = new Set<() => void>();
  private timer: NodeJS.Timeout | undefined;
  private last = '';

  /** `fingerprint` changes whenever a page would show something else. */
  constructor(private readonly fingerprint: () => string) {}

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    if (!this.timer) {
      this.last = this.safeFingerprint();
      this.timer = setInterval(() => this.look(), WATCH_EVERY_MS);
      this.timer.unref();
    }
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size || !this.timer) return;
      clearInterval(this.timer);
      this.timer = undefined;
    };
  }

  private look(): void {
    const now = this.safeFingerprint();
    if (now === this.last) return;
    this.last = now;
    for (const listener of this.listeners) listener();
  }

  /** A ledger that cannot be read now (closing) counts as unchanged. */
  private safeFingerprint(): string {
    try {
      return this.fingerprint();
    } catch {
      return this.last;
    }
  }
}

/**
 * What the pages show, in a few cheap queries: deliveries per reporter and state, the latest
 * events with their outcomes, the latest deliveries with their attempt counts, the holds.
 */
export function ledgerFingerprint(
  ledger: () => LedgerQueries | undefined,
  holds: () => unknown,
  recent: number,
): () => string {
  return () => {
    const queries = ledger();
    if (!queries) return '';
    const deliveries = queries.deliveries({ limit: recent }).map((d) => [d.id, d.state, d.attempts, d.updatedAt]);
    return JSON.stringify([queries.tally(), queries.events({ limit: recent }), deliveries, holds()]);
  };
}

/** Answers `GET /ui/stream` and returns at once: the stream ends when the client (or the server's close) ends it. */
export function serveStream(req: IncomingMessage, res: ServerResponse, watcher: ChangeWatcher): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    'x-accel-buffering': 'no',
  });
  // A lost stream is opened again by the browser after `retry` ms.
  res.write('retry: 2000\n\n');
  const unsubscribe = watcher.subscribe(() => res.write('event: change\ndata: {}\n\n'));
  const keepalive = setInterval(() => res.write(': keepalive\n\n'), KEEPALIVE_MS);
  keepalive.unref();
  req.socket.once('close', () => {
    clearInterval(keepalive);
    unsubscribe();
  });
}
