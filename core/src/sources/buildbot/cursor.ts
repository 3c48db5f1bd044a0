/**
 * What the buildbot source has seen of the master, so that after a reconnect (or a restart, when
 * kept in a store) it can ask the REST API what happened meanwhile and report each event once:
 * the newest build and buildset ids seen, the builds and buildsets still open, and the ids of
 * the events already reported. Kept in a file under `stateDir`, or in Redis, shared by the
 * instances of a cluster (cluster/redis-cursor-store.ts), so the one that takes over goes on.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** Where a cursor is kept: its JSON text, read at start and written after each dispatch. */
export interface CursorStore {
  /** For messages: the file, or the Redis key. */
  readonly where: string;
  /** The text last written; undefined when nothing was written yet. */
  read(): Promise<string | undefined>;
  write(text: string): Promise<void>;
}

/** A file, written atomically (a crash leaves the old or the new one). */
export class FileCursorStore implements CursorStore {
  constructor(readonly where: string) {}

  read(): Promise<string | undefined> {
    try {
      return Promise.resolve(readFileSync(this.where, 'utf8'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return Promise.resolve(undefined);
      return Promise.reject(error as Error);
    }
  }

  write(text: string): Promise<void> {
    mkdirSync(dirname(this.where), { recursive: true });
    writeFileSync(`${this.where}.tmp`, text);
    renameSync(`${this.where}.tmp`, this.where);
    return Promise.resolve();
  }
}

/** How many reported event ids are remembered. */
const REPORTED_WINDOW = 5000;

interface CursorFile {
  version: 1;
  url: string;
  maxBuildid: number;
  maxBsid: number;
  running: number[];
  openBuildsets: number[];
  reported: string[];
}

export class Cursor {
  /** False until the first connection looked at the master (nothing before that is reported). */
  initialised = false;
  maxBuildid = 0;
  maxBsid = 0;
  readonly running = new Set<number>();
  readonly openBuildsets = new Set<number>();
  private readonly reported = new Set<string>();
  /** The write under way (saves are written one after the other, never interleaved). */
  private written: Promise<void> = Promise.resolve();
  /** A save asked for while one is written: it writes the newest state once that one is done. */
  private queued: Promise<void> | undefined;

  constructor(
    private readonly url: string,
    private readonly store?: CursorStore,
  ) {}

  /**
   * Loads what the store holds for this master; nothing stored starts afresh silently, an
   * unreadable or foreign state starts afresh with the reason returned.
   */
  async load(): Promise<string | undefined> {
    if (!this.store) return undefined;
    let data: CursorFile;
    try {
      const text = await this.store.read();
      if (text === undefined) return undefined;
      data = JSON.parse(text) as CursorFile;
    } catch (error) {
      return `cannot read ${this.store.where}: ${String(error)}; starting afresh`;
    }
    if (data.version !== 1 || data.url !== this.url)
      return `${this.store.where} belongs to ${data.url}, not ${this.url}; starting afresh`;
    this.initialised = true;
    this.maxBuildid = data.maxBuildid;
    this.maxBsid = data.maxBsid;
    for (const id of data.running) this.running.add(id);
    for (const id of data.openBuildsets) this.openBuildsets.add(id);
    for (const id of data.reported) this.reported.add(id);
    return undefined;
  }

  wasReported(eventId: string): boolean {
    return this.reported.has(eventId);
  }

  markReported(eventId: string): void {
    this.reported.add(eventId);
    if (this.reported.size > REPORTED_WINDOW) this.reported.delete(this.reported.values().next().value!);
  }

  unmarkReported(eventId: string): void {
    this.reported.delete(eventId);
  }

  buildSeen(buildid: number, complete: boolean): void {
    this.maxBuildid = Math.max(this.maxBuildid, buildid);
    if (complete) this.running.delete(buildid);
    else this.running.add(buildid);
  }

  buildsetSeen(bsid: number, complete: boolean): void {
    this.maxBsid = Math.max(this.maxBsid, bsid);
    if (complete) this.openBuildsets.delete(bsid);
    else this.openBuildsets.add(bsid);
  }

  /** Writes the state to the store; saves asked for while one is written are written once, after it. */
  save(): Promise<void> {
    const store = this.store;
    if (!store) return Promise.resolve();
    this.queued ??= this.written
      .catch(() => undefined)
      .then(() => {
        this.queued = undefined;
        return store.write(this.serialised());
      });
    this.written = this.queued;
    return this.queued;
  }

  private serialised(): string {
    const data: CursorFile = {
      version: 1,
      url: this.url,
      maxBuildid: this.maxBuildid,
      maxBsid: this.maxBsid,
      running: [...this.running],
      openBuildsets: [...this.openBuildsets],
      reported: [...this.reported],
    };
    return JSON.stringify(data);
  }
}
