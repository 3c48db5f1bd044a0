/** What the host assumes when the config or the caller says nothing, in one place. */
import { resolve } from 'node:path';

/** The state folder (build history, unsent deliveries, a buildbot source's view of the master), relative to the config file's folder. */
export const DEFAULT_STATE_DIR = '.bbreporters';

/** The absolute state folder of a config in `configDir`. */
export function resolveStateDir(configDir: string, stateDir: string | undefined): string {
  return resolve(configDir, stateDir ?? DEFAULT_STATE_DIR);
}

/** How long a stop waits for pending deliveries before deferring them to the next start. */
export const DEFAULT_DRAIN_MS = 10_000;

/** How long a reporter's handler may take for one event before its outcome is `timeout`. */
export const DEFAULT_HANDLER_TIMEOUT_MS = 30_000;

/** How long a reporter's setup() may take at start before the start fails naming it. */
export const DEFAULT_SETUP_TIMEOUT_MS = 60_000;

/** The config's `title` when it has none (Buildbot's own default). */
export const DEFAULT_TITLE = 'Buildbot';

/** The config files a command reads when it is given no `--config`, looked for in this order in the current folder. */
export const DEFAULT_CONFIG_FILES = ['bbreporters.yaml', 'bbreporters.yml'] as const;
