/**
 * The notify events users chose with the `notify` command, kept under the state folder so they
 * survive a restart (Buildbot 2.5+ keeps them in its database). Only scopes changed at run time
 * are stored: the others keep following `notify_events` from the config.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from '@bbreporters/core';

export interface StoredScope {
  /** The channel or nick as first written. */
  name: string;
  events: string[];
}

export class NotifyStore {
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly file: string,
    private readonly logger: Logger,
  ) {}

  /** What earlier runs stored; a missing file is a first run, an unreadable one is logged and ignored. */
  load(): StoredScope[] {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
        this.logger.warn({ err: error, file: this.file }, 'IRC notify settings unreadable: using notify_events');
      return [];
    }
    try {
      const data = JSON.parse(text) as { scopes?: unknown };
      if (!Array.isArray(data.scopes)) throw new Error('no "scopes" list');
      return data.scopes.filter(
        (s): s is StoredScope =>
          typeof s?.name === 'string' &&
          Array.isArray(s.events) &&
          s.events.every((e: unknown) => typeof e === 'string'),
      );
    } catch (error) {
      this.logger.warn({ err: error, file: this.file }, 'IRC notify settings unreadable: using notify_events');
      return [];
    }
  }

  /** Replaces the stored scopes (atomically; writes never overlap, the last one wins). */
  save(scopes: StoredScope[]): Promise<void> {
    const text = `${JSON.stringify({ scopes }, null, 2)}\n`;
    this.writing = this.writing.then(async () => {
      try {
        mkdirSync(dirname(this.file), { recursive: true });
        const temp = `${this.file}.${process.pid}.tmp`;
        await writeFile(temp, text);
        await rename(temp, this.file);
      } catch (error) {
        this.logger.error({ err: error, file: this.file }, 'IRC notify settings not saved');
      }
    });
    return this.writing;
  }
}
