/**
 * The outbox: every delivery without an outcome is recorded in a journal under
 * `<stateDir>/unsent/` before it is queued ("add"), and marked when it settles ("done": sent,
 * failed for good, superseded). At the next start the deliveries still open are queued again,
 * so neither a stop with deliveries pending nor a crash loses a notification: at-least-once
 * across restarts. An append to an open file per delivery costs microseconds, not a file each.
 * Reporters deliver without credentials (added at send time by `authorize` or `send`); a third-party
 * plugin might still put one in a payload, so the journal is readable by its owner only.
 */
import {
  accessSync,
  closeSync,
  constants,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { BbrError, reasonOf } from '../diagnostics/errors.js';
import type { Logger } from '../diagnostics/logger.js';

export interface OutboxEntry {
  id: string;
  reporter: string;
  target: string;
  payload: unknown;
  eventId?: string;
  supersede: boolean;
}

type JournalLine = { add: OutboxEntry } | { done: string };

/** Rewrite the journal when it holds this many lines and most of them are settled deliveries. */
const COMPACT_AFTER_LINES = 10_000;

export class Outbox {
  /** Open deliveries, in the order they were made. */
  private readonly open = new Map<string, OutboxEntry>();
  private fd: number | undefined;
  private file: string | undefined;
  private lines = 0;
  private closed = false;
  /** Journals of earlier runs, read by load() and deleted once their open deliveries are in this run's journal. */
  private earlier: string[] = [];

  constructor(
    private readonly dir: string,
    private readonly logger: Logger,
  ) {
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      accessSync(dir, constants.W_OK);
    } catch (error) {
      // The real cause (EROFS, EACCES, ENOSPC), not a later ENOENT: without this folder nothing unsent survives a stop.
      throw new BbrError('BBR_STATE_DIR', `the state folder cannot hold unsent deliveries: ${reasonOf(error)}`, {
        cause: error,
      });
    }
  }

  /** The deliveries earlier runs left open, oldest first. Unreadable lines (a crash mid-write) are logged and skipped. */
  load(): OutboxEntry[] {
    const found = new Map<string, OutboxEntry>();
    this.earlier = readdirSync(this.dir)
      .filter((n) => /^journal-.*\.jsonl$/.test(n))
      .sort();
    for (const name of this.earlier) {
      readFileSync(join(this.dir, name), 'utf8')
        .split('\n')
        .forEach((text, index) => {
          if (!text) return;
          try {
            const line = JSON.parse(text) as JournalLine;
            if ('add' in line && typeof line.add?.id === 'string') found.set(line.add.id, line.add);
            else if ('done' in line) found.delete(line.done);
            else throw new Error('not a journal line');
          } catch (error) {
            this.logger.error(
              { file: join(this.dir, name), line: index + 1, err: String(error) },
              'unreadable outbox journal line skipped',
            );
          }
        });
    }
    return [...found.values()];
  }

  /** Deletes the journals load() read: call once their open deliveries were saved again in this run. */
  forgetEarlier(): void {
    for (const name of this.earlier)
      if (join(this.dir, name) !== this.file) rmSync(join(this.dir, name), { force: true });
    this.earlier = [];
  }

  /** Records `entry` until `remove(entry.id)`; false (logged) when it cannot be recorded, e.g. a payload that is not JSON. */
  save(entry: OutboxEntry): boolean {
    try {
      this.append(JSON.stringify({ add: entry }));
    } catch (error) {
      this.logger.error(
        { reporter: entry.reporter, target: entry.target, err: String(error) },
        'delivery not kept in the outbox: it is lost if core stops before it is sent',
      );
      return false;
    }
    this.open.set(entry.id, entry);
    return true;
  }

  remove(id: string): void {
    if (!this.open.delete(id)) return;
    this.append(JSON.stringify({ done: id }));
    if (this.lines >= COMPACT_AFTER_LINES && this.open.size * 4 < this.lines) this.compact();
  }

  /** Closes the journal; what settles afterwards is not recorded (at worst it is sent again after the next start). */
  close(): void {
    this.closed = true;
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private append(line: string): void {
    if (this.closed) return;
    if (this.fd === undefined) this.startJournal();
    writeSync(this.fd!, `${line}\n`);
    this.lines++;
  }

  private startJournal(): void {
    // Time and pid in the name: journals sort in the order runs started.
    this.file = join(this.dir, `journal-${Date.now().toString().padStart(15, '0')}-${process.pid}.jsonl`);
    this.fd = openSync(this.file, 'a', 0o600);
    this.lines = 0;
  }

  /** A new journal holding only the open deliveries, swapped in by rename so a crash leaves one or the other. */
  private compact(): void {
    const next = `${this.file}.compact`;
    const fd = openSync(next, 'w', 0o600);
    for (const entry of this.open.values()) writeSync(fd, `${JSON.stringify({ add: entry })}\n`);
    closeSync(fd);
    closeSync(this.fd!);
    renameSync(next, this.file!);
    this.fd = openSync(this.file!, 'a', 0o600);
    this.lines = this.open.size;
  }
}
