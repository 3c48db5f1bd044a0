/**
 * Earlier versions kept unsent deliveries in an append-only journal under `<stateDir>/unsent/`
 * (`journal-*.jsonl`: `{"add": entry}` and `{"done": id}` lines). At the first start with the
 * ledger, the deliveries those journals left open move into it, and the journals are deleted:
 * an upgrade loses nothing.
 */
import { existsSync, readdirSync, readFileSync, rmdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../diagnostics/logger.js';
import type { DeliveryLedger, StoredDelivery } from './ledger.js';

export const JOURNAL_FOLDER = 'unsent';

type JournalLine = { add: StoredDelivery } | { done: string };

/** Moves the open deliveries of `<stateDir>/unsent/` journals into `ledger`; returns how many. */
export function importJournals(stateDir: string, ledger: DeliveryLedger, logger: Logger): number {
  const dir = join(stateDir, JOURNAL_FOLDER);
  if (!existsSync(dir)) return 0;
  const journals = readdirSync(dir)
    .filter((n) => /^journal-.*\.jsonl$/.test(n))
    .sort();
  const open = new Map<string, StoredDelivery>();
  for (const name of journals) {
    readFileSync(join(dir, name), 'utf8')
      .split('\n')
      .forEach((text, index) => {
        if (!text) return;
        try {
          const line = JSON.parse(text) as JournalLine;
          if ('add' in line && typeof line.add?.id === 'string') open.set(line.add.id, line.add);
          else if ('done' in line) open.delete(line.done);
          else throw new Error('not a journal line');
        } catch (error) {
          // A crash mid-write leaves a cut line: skip it, keep the rest.
          logger.error(
            { file: join(dir, name), line: index + 1, err: String(error) },
            'unreadable outbox journal line skipped',
          );
        }
      });
  }
  const now = Date.now();
  for (const entry of open.values()) ledger.add({ ...entry, createdAt: now });
  // Only once every open delivery is in the ledger.
  for (const name of journals) rmSync(join(dir, name), { force: true });
  if (readdirSync(dir).length === 0) rmdirSync(dir);
  if (open.size)
    logger.info({ imported: open.size, from: dir }, 'unsent deliveries moved from the outbox journal to the ledger');
  return open.size;
}
