/**
 * Which message a chat service gave for a build's announcement, so the finished build edits its
 * started message (Slack `chat.update`, Discord `PATCH`, Matrix `m.replace`) instead of adding a
 * second one. Kept under the state folder, so a restart between start and finish still edits;
 * only the newest `limit` refs are kept (a build rarely runs longer than that many others start).
 */
import type { Logger } from '../diagnostics/logger.js';
import { StateFile } from './state-file.js';

type Refs = Record<string, string>;

export class MessageRefs {
  private readonly refs = new Map<string, string>();
  private readonly file: StateFile<Refs>;

  constructor(
    file: string,
    logger: Logger,
    private readonly limit = 1000,
  ) {
    this.file = new StateFile(file, 'message ids of started builds', logger, (data) => {
      if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new Error('not an object');
      return Object.fromEntries(Object.entries(data).filter(([, v]) => typeof v === 'string')) as Refs;
    });
    for (const [key, ref] of Object.entries(this.file.load() ?? {})) this.refs.set(key, ref);
  }

  private static key(target: string, buildid: number): string {
    return `${target} ${buildid}`;
  }

  get(target: string, buildid: number): string | undefined {
    return this.refs.get(MessageRefs.key(target, buildid));
  }

  /** Remembers the message of a build's announcement on `target`. */
  set(target: string, buildid: number, ref: string): Promise<void> {
    const key = MessageRefs.key(target, buildid);
    this.refs.delete(key);
    this.refs.set(key, ref);
    for (const oldest of this.refs.keys()) {
      if (this.refs.size <= this.limit) break;
      this.refs.delete(oldest);
    }
    return this.file.save(Object.fromEntries(this.refs));
  }

  /** Forgets a build's message once it was edited for the last time. */
  delete(target: string, buildid: number): Promise<void> {
    if (!this.refs.delete(MessageRefs.key(target, buildid))) return Promise.resolve();
    return this.file.save(Object.fromEntries(this.refs));
  }
}
