/**
 * A small JSON document a reporter keeps under the state folder (a chat's notify settings, the
 * ids of messages to edit later) so it survives a restart. Writes are atomic (temp file + rename)
 * and never overlap; the last one wins. A missing file is a first run; an unreadable one is
 * logged and read as missing, so a damaged file never stops the service.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from '../diagnostics/logger.js';

export class StateFile<T> {
  private writing: Promise<void> = Promise.resolve();

  /**
   * @param what names the document in log lines (`IRC notify settings`).
   * @param parse checks what was read and returns it, or throws saying what is wrong.
   * @param otherwise what the reporter does without them, for the log line.
   */
  constructor(
    readonly file: string,
    private readonly what: string,
    private readonly logger: Logger,
    private readonly parse: (data: unknown) => T,
    private readonly otherwise = 'starting without them',
  ) {}

  load(): T | undefined {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
        this.logger.warn({ err: error, file: this.file }, `${this.what} unreadable: ${this.otherwise}`);
      return undefined;
    }
    try {
      return this.parse(JSON.parse(text));
    } catch (error) {
      this.logger.warn({ err: error, file: this.file }, `${this.what} unreadable: ${this.otherwise}`);
      return undefined;
    }
  }

  save(value: T): Promise<void> {
    const text = `${JSON.stringify(value, null, 2)}\n`;
    this.writing = this.writing.then(async () => {
      try {
        mkdirSync(dirname(this.file), { recursive: true });
        const temp = `${this.file}.${process.pid}.tmp`;
        await writeFile(temp, text);
        await rename(temp, this.file);
      } catch (error) {
        this.logger.error({ err: error, file: this.file }, `${this.what} not saved`);
      }
    });
    return this.writing;
  }
}
