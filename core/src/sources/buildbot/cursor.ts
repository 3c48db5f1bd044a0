/**
 * What the buildbot source has seen of the master, so that after a reconnect (or a restart, when
 * kept in a file) it can ask the REST API what happened meanwhile and report each event once:
 * the newest build and buildset ids seen, the builds and buildsets still open, and the ids of
 * the events already reported.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

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

  constructor(
    private readonly url: string,
    private readonly file?: string,
  ) {}

  /** Loads the file when there is one for this master; a missing or unreadable file starts afresh. */
  load(): string | undefined {
    if (!this.file) return undefined;
    let data: CursorFile;
    try {
      data = JSON.parse(readFileSync(this.file, 'utf8')) as CursorFile;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'ENOENT'
        ? undefined
        : `cannot read ${this.file}: ${String(error)}; starting afresh`;
    }
    if (data.version !== 1 || data.url !== this.url)
      return `${this.file} belongs to ${data.url}, not ${this.url}; starting afresh`;
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

  /** Writes the file (atomically: a crash leaves the old or the new one). */
  save(): void {
    if (!this.file) return;
    const data: CursorFile = {
      version: 1,
      url: this.url,
      maxBuildid: this.maxBuildid,
      maxBsid: this.maxBsid,
      running: [...this.running],
      openBuildsets: [...this.openBuildsets],
      reported: [...this.reported],
    };
    mkdirSync(dirname(this.file), { recursive: true });
    writeFileSync(`${this.file}.tmp`, JSON.stringify(data));
    renameSync(`${this.file}.tmp`, this.file);
  }
}
