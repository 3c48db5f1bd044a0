/**
 * Steps' log lists and logs' text over REST, read once: a finished step's log list and a complete log's text
 * never change. When a step of a running build finishes (the source sees `steps/N/finished`), what the
 * finish's reporters will need of it is fetched then, so a finished build is not held up by a chain of
 * steps → logs → contents requests. Texts are kept up to TEXT_CACHE_CHARS in all, the oldest dropped first;
 * log lists of the last STEP_CACHE_SIZE finished steps.
 */
import type { Log, Step } from '../events/events.js';
import { setNewest } from '../lang/bounded-map.js';
import type { BuildbotRestClient } from './rest-client.js';

const TEXT_CACHE_CHARS = 32 * 1024 * 1024;
const STEP_CACHE_SIZE = 2000;

export class StepLogs {
  private readonly lists = new Map<number, Promise<Log[]>>();
  private readonly texts = new Map<number, { text: Promise<string>; chars: number }>();
  private cachedChars = 0;

  constructor(private readonly rest: BuildbotRestClient) {}

  /** A step finished: its log list, and its logs' text when `withContent`, are fetched now (failures ask again later). */
  stepFinished(step: Step, withContent: boolean): void {
    const list = this.rest.list<Log>(`steps/${step.stepid}/logs`, 'logs');
    setNewest(this.lists, step.stepid, list, STEP_CACHE_SIZE);
    void list
      .then((logs) => {
        if (withContent) for (const log of logs) void this.text(log).catch(() => {});
      })
      .catch(() => {});
  }

  /** The step's logs: from its finish when read then. */
  async list(step: Step): Promise<Log[]> {
    const early = this.lists.get(step.stepid);
    if (early) {
      const logs = await early.catch(() => undefined);
      if (logs) return logs;
    }
    return this.rest.list<Log>(`steps/${step.stepid}/logs`, 'logs');
  }

  /** The log's text: read once for a complete log (a second asker shares the first's request). */
  text(log: Log): Promise<string> {
    const cached = this.texts.get(log.logid);
    if (cached) return cached.text;
    const text = this.rest
      .list<{ content: string }>(`logs/${log.logid}/contents`, 'logchunks')
      .then((chunks) => chunks.map((c) => c.content).join(''));
    if (!log.complete) return text;
    const entry = { text, chars: 0 };
    this.texts.set(log.logid, entry);
    text.then(
      (t) => {
        if (this.texts.get(log.logid) !== entry) return;
        entry.chars = t.length;
        this.cachedChars += t.length;
        for (const [logid, oldest] of this.texts) {
          if (this.cachedChars <= TEXT_CACHE_CHARS || oldest === entry) break;
          this.texts.delete(logid);
          this.cachedChars -= oldest.chars;
        }
      },
      () => this.texts.get(log.logid) === entry && this.texts.delete(log.logid),
    );
    return text;
  }
}
