/**
 * The notify events users chose with the `notify` command, kept under the state folder so they
 * survive a restart (Buildbot 2.5+ keeps them in its database). Only scopes changed at run time
 * are stored: the others keep following `notify_events` from the config.
 */
import type { Logger } from '../../diagnostics/logger.js';
import { StateFile } from '../state-file.js';

export interface StoredScope {
  /** The channel, nick or chat id as first written. */
  name: string;
  events: string[];
}

interface Stored {
  scopes: StoredScope[];
}

function parseScopes(data: unknown): Stored {
  const scopes = (data as { scopes?: unknown } | null)?.scopes;
  if (!Array.isArray(scopes)) throw new Error('no "scopes" list');
  const valid = scopes.filter(
    (s): s is StoredScope =>
      typeof s?.name === 'string' && Array.isArray(s.events) && s.events.every((e: unknown) => typeof e === 'string'),
  );
  return { scopes: valid };
}

export class NotifyStore {
  private readonly file: StateFile<Stored>;

  /** @param service names the chat in log lines (`IRC`, `Telegram`). */
  constructor(file: string, logger: Logger, service: string) {
    this.file = new StateFile(file, `${service} notify settings`, logger, parseScopes, 'using notify_events');
  }

  /** What earlier runs stored; a missing or unreadable file (logged) gives none. */
  load(): StoredScope[] {
    return this.file.load()?.scopes ?? [];
  }

  /** Replaces the stored scopes (atomically; writes never overlap, the last one wins). */
  save(scopes: StoredScope[]): Promise<void> {
    return this.file.save({ scopes });
  }
}
