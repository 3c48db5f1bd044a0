/**
 * Copies the ledger's write-ahead log back into its database file on a worker thread. SQLite would do it
 * inside a commit every 1,000 pages (copying pages and syncing the disk on the event loop: about 40 % of
 * the ledger's cost on the bench machine); a PASSIVE checkpoint from another connection never blocks the
 * service's writes. But while writes go on, such a checkpoint never ends with the whole log copied, and
 * SQLite starts the log afresh only when it does: so once the worker has caught up with a log of
 * RESTART_FRAMES or more, the service's connection copies the few frames written meanwhile itself (it is
 * the only writer, so nothing can slip in) and its next commit starts the log from the beginning.
 * If the worker stops, the service's own connection checkpoints again, so the log cannot grow without bound.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { reasonOf } from '../diagnostics/errors.js';
import type { Logger } from '../diagnostics/logger.js';

/** How often the worker checkpoints. */
const CHECKPOINT_EVERY_MS = 500;
/** A log this long (4 KB frames: 4 MB, SQLite's own automatic checkpoint) is started afresh once copied. */
const RESTART_FRAMES = 1000;

// An inline CommonJS worker: the same code runs from core's sources (tests) and its build.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.sqlite);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('busy_timeout = 5000');
const timer = setInterval(() => {
  const [{ log, checkpointed }] = db.pragma('wal_checkpoint(PASSIVE)');
  if (log >= workerData.restartFrames && checkpointed >= log - workerData.restartFrames / 10)
    parentPort.postMessage('caught up');
}, workerData.everyMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

export class BackgroundCheckpoint {
  private readonly worker: Worker;
  private stopping = false;

  /**
   * `finish`: copy what the worker has not (a PASSIVE checkpoint on the writer's connection), called when the
   * worker caught up with a long log. `fallBack` is called once if the worker fails: the caller checkpoints
   * on its own connection again.
   */
  constructor(file: string, logger: Logger, finish: () => void, fallBack: () => void) {
    this.worker = new Worker(WORKER, {
      eval: true,
      workerData: {
        file,
        sqlite: createRequire(import.meta.url).resolve('better-sqlite3'),
        everyMs: CHECKPOINT_EVERY_MS,
        restartFrames: RESTART_FRAMES,
      },
    });
    this.worker.unref();
    const failed = (why: string) => {
      if (this.stopping) return;
      this.stopping = true;
      logger.warn({ err: why }, 'the delivery ledger checkpoints on the main thread again');
      fallBack();
    };
    this.worker.on('message', () => {
      if (!this.stopping) finish();
    });
    this.worker.on('error', (error) => failed(reasonOf(error)));
    this.worker.on('exit', (code) => failed(`its worker exited (${code})`));
  }

  /** Asks the worker to finish its checkpoint and close its connection. */
  stop(): void {
    if (this.stopping) return;
    this.stopping = true;
    this.worker.postMessage('stop');
  }
}
