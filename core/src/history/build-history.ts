/**
 * Recent builds per builder, kept under the config's `stateDir` (one JSON file per builder,
 * replaced atomically), so `change`/`problem` modes and "last build" questions work when a
 * source sends no `prev_build`, across restarts. It answers the read-only part of MasterControl
 * when no source provides one.
 */
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BbEvent, Build, Builder, BuildPayload } from '../events/events.js';
import type { Logger } from '../diagnostics/logger.js';
import type { BuilderStatus, MasterControl } from '../buildbot-api/master-control.js';
import { Results } from '../events/results.js';

/** How many builds per builder are kept. */
export const DEFAULT_HISTORY_SIZE = 50;

/**
 * How long a builder's changes wait before its file is written: a burst of builds is written once
 * rather than once per build (each write is a whole file and a rename). `flush()` writes at once.
 */
const WRITE_DELAY_MS = 200;

const buildKeys = [
  'buildid',
  'number',
  'builderid',
  'buildrequestid',
  'workerid',
  'masterid',
  'started_at',
  'complete',
  'complete_at',
  'results',
  'state_string',
] as const satisfies ReadonlyArray<keyof Build>;

interface BuilderFile {
  builder: Builder;
  /** Ascending by number. */
  builds: Build[];
}

/** The data-API build dict, without what a source added (steps, properties, prev_build…). */
function plainBuild(build: BuildPayload): Build {
  const out: Record<string, unknown> = {};
  for (const key of buildKeys) if (build[key] !== undefined) out[key] = build[key];
  return out as unknown as Build;
}

export class BuildHistory {
  private readonly byId = new Map<number, BuilderFile>();
  private readonly writes = new Map<number, Promise<void>>();
  private readonly dirty = new Set<number>();
  /** Builders whose write waits for WRITE_DELAY_MS. */
  private readonly waiting = new Map<number, NodeJS.Timeout>();

  private constructor(
    private readonly dir: string,
    private readonly size: number,
    private readonly persist: boolean,
    private readonly logger?: Logger,
  ) {}

  /**
   * Loads what earlier runs stored under `stateDir/history`; unreadable files are logged and
   * skipped. `persist: false` (a dry run, `preview`) reads but never writes.
   */
  static async open(
    stateDir: string,
    options: { size?: number; logger?: Logger; persist?: boolean } = {},
  ): Promise<BuildHistory> {
    const history = new BuildHistory(
      join(stateDir, 'history'),
      options.size ?? DEFAULT_HISTORY_SIZE,
      options.persist ?? true,
      options.logger,
    );
    // No folder yet is the first run; an unreadable one must not stop the reporters.
    const names = await readdir(history.dir).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT')
        options.logger?.warn({ err: error, dir: history.dir }, 'build history unreadable: starting empty');
      return [];
    });
    for (const name of names.filter((n) => /^builder-\d+\.json$/.test(n))) {
      try {
        const file = JSON.parse(await readFile(join(history.dir, name), 'utf8')) as BuilderFile;
        history.byId.set(file.builder.builderid, file);
      } catch (error) {
        options.logger?.warn({ err: error, file: join(history.dir, name) }, 'build history file unreadable: ignored');
      }
    }
    return history;
  }

  /**
   * Buildbot's getPreviousBuild (common.md §5): the newest known build of the same builder with a
   * lower number whose result is not RETRY (a running build counts); undefined when none is known.
   */
  previousBuild(build: Pick<Build, 'builderid' | 'number'>): Build | undefined {
    const builds = this.byId.get(build.builderid)?.builds ?? [];
    for (let i = builds.length - 1; i >= 0; i--) {
      if (builds[i].number < build.number && builds[i].results !== Results.RETRY) return builds[i];
    }
    return undefined;
  }

  /**
   * Enrichment: returns the event with `prev_build` filled from the history where a finished
   * build lacks it (the input is not changed), and records the event's builds.
   */
  observe<E extends BbEvent>(event: E): E {
    const withPrevious = (build: BuildPayload): BuildPayload => {
      const previous = build.prev_build === undefined ? this.previousBuild(build) : undefined;
      return previous ? { ...build, prev_build: previous } : build;
    };
    let enriched: BbEvent = event;
    if (event.event === 'buildFinished') enriched = { ...event, payload: withPrevious(event.payload) };
    if (event.event === 'buildsetFinished')
      enriched = { ...event, payload: { ...event.payload, builds: event.payload.builds.map(withPrevious) } };
    if (enriched.event === 'buildsetFinished') enriched.payload.builds.forEach((b) => this.record(b));
    else if (enriched.event !== 'workerMissing') this.record(enriched.payload);
    return enriched as E;
  }

  record(build: BuildPayload): void {
    const entry = this.byId.get(build.builderid) ?? { builder: build.builder, builds: [] };
    entry.builder = build.builder ?? entry.builder;
    const plain = plainBuild(build);
    const at = entry.builds.findIndex((b) => b.number >= plain.number);
    if (at === -1) entry.builds.push(plain);
    else if (entry.builds[at].number === plain.number) entry.builds[at] = plain;
    else entry.builds.splice(at, 0, plain);
    if (entry.builds.length > this.size) entry.builds.splice(0, entry.builds.length - this.size);
    this.byId.set(build.builderid, entry);
    if (this.persist) this.scheduleWrite(build.builderid);
  }

  builders(): Builder[] {
    return [...this.byId.values()].map((e) => e.builder);
  }

  private entry(name: string): BuilderFile | undefined {
    return [...this.byId.values()].find((e) => e.builder.name === name);
  }

  /** The newest finished build of the builder named `name`. */
  lastBuild(name: string): Build | undefined {
    return this.entry(name)
      ?.builds.filter((b) => b.complete)
      .at(-1);
  }

  /** What the history knows: running = started and not seen finished; pending is unknown (0). */
  builderStatus(name: string): BuilderStatus | undefined {
    const entry = this.entry(name);
    if (!entry) return undefined;
    const running = entry.builds.filter((b) => !b.complete);
    return { builder: entry.builder, state: running.length ? 'building' : 'idle', running, pending: 0 };
  }

  /** The read-only part of the master control API. */
  masterControl(): MasterControl {
    return {
      builders: async () => this.builders(),
      lastBuild: async (name) => this.lastBuild(name),
      builderStatus: async (name) => this.builderStatus(name),
    };
  }

  /** Resolves when everything recorded so far is on disk. */
  async flush(): Promise<void> {
    while (this.writes.size || this.waiting.size) {
      for (const [builderid, timer] of this.waiting) {
        clearTimeout(timer);
        this.waiting.delete(builderid);
        this.write(builderid);
      }
      await Promise.all(this.writes.values());
    }
  }

  /** A write of the builder's file after WRITE_DELAY_MS, unless one is waiting or running (it picks the change up). */
  private scheduleWrite(builderid: number): void {
    this.dirty.add(builderid);
    if (this.writes.has(builderid) || this.waiting.has(builderid)) return;
    const timer = setTimeout(() => {
      this.waiting.delete(builderid);
      this.write(builderid);
    }, WRITE_DELAY_MS);
    this.waiting.set(builderid, timer);
  }

  /** One write per builder at a time; changes made meanwhile are written by the next one. */
  private write(builderid: number): void {
    const write = (async () => {
      while (this.dirty.delete(builderid)) {
        const file = join(this.dir, `builder-${builderid}.json`);
        const temp = `${file}.${process.pid}.tmp`;
        try {
          await mkdir(this.dir, { recursive: true });
          await writeFile(temp, JSON.stringify(this.byId.get(builderid)));
          await rename(temp, file);
        } catch (error) {
          this.logger?.error({ err: error, file }, 'build history not saved');
        }
      }
    })().finally(() => {
      this.writes.delete(builderid);
      if (this.dirty.has(builderid)) this.scheduleWrite(builderid);
    });
    this.writes.set(builderid, write);
  }
}
