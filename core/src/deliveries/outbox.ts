/**
 * The outbox: each delivery without an outcome is kept as one JSON file under
 * `<stateDir>/unsent/`, written before it is queued and removed when it settles (sent, failed
 * for good, superseded). What core could not finish before it stopped, or when it crashed, is
 * queued again at the next start: deliveries are at-least-once across restarts too.
 * Files may hold credentials (a request's Authorization header): they are readable by the owner only.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../logger.js';

export interface OutboxEntry {
  id: string;
  reporter: string;
  target: string;
  payload: unknown;
  eventId?: string;
  supersede: boolean;
}

export class Outbox {
  private readonly files = new Map<string, string>();
  private seq = 0;

  constructor(
    private readonly dir: string,
    private readonly logger: Logger,
  ) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  /** Keeps `entry` until `remove(entry.id)`; false (logged) when it cannot be written, e.g. a payload that is not JSON. */
  save(entry: OutboxEntry): boolean {
    // Time and a counter in the name keep the order deliveries were made in.
    const name = `${Date.now().toString().padStart(15, '0')}-${String(this.seq++).padStart(9, '0')}-${entry.id}.json`;
    try {
      const text = JSON.stringify(entry);
      writeFileSync(join(this.dir, `.${name}.tmp`), text, { mode: 0o600 });
      renameSync(join(this.dir, `.${name}.tmp`), join(this.dir, name));
    } catch (error) {
      this.logger.error({ reporter: entry.reporter, target: entry.target, err: String(error) }, 'delivery not kept in the outbox: it is lost if core stops before it is sent');
      return false;
    }
    this.files.set(entry.id, name);
    return true;
  }

  remove(id: string): void {
    const name = this.files.get(id);
    if (!name) return;
    this.files.delete(id);
    rmSync(join(this.dir, name), { force: true });
  }

  /** The kept deliveries, oldest first; an unreadable file is logged and set aside as `<name>.bad`. */
  load(): OutboxEntry[] {
    const entries: OutboxEntry[] = [];
    for (const name of readdirSync(this.dir).filter((n) => n.endsWith('.json') && !n.startsWith('.')).sort()) {
      try {
        const entry = JSON.parse(readFileSync(join(this.dir, name), 'utf8')) as OutboxEntry;
        if (typeof entry.id !== 'string' || typeof entry.reporter !== 'string' || typeof entry.target !== 'string') throw new Error('not an outbox entry');
        this.files.set(entry.id, name);
        entries.push(entry);
      } catch (error) {
        this.logger.error({ file: join(this.dir, name), err: String(error) }, 'unreadable outbox file set aside');
        renameSync(join(this.dir, name), join(this.dir, `${name}.bad`));
      }
    }
    return entries;
  }
}
