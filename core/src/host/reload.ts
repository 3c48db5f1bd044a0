/**
 * What a reload (SIGHUP, `bbreporters reload`) changes: which configured reporters stay as they
 * are, which are set up anew, come or go (by name), and which top-level settings only a restart
 * applies. `Runtime.reload` carries the plan out.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Config } from '../generated/schemas.js';
import type { PreparedReporter } from '../loader/prepare.js';

/** A reporter as a reload compares it: its checked config entry and the handler timeout in effect for it. */
export interface ReporterEntry {
  prepared: PreparedReporter;
  timeoutMs: number;
}

/** Reporter names by what the reload does to them. */
export interface ReloadPlan {
  /** Same entry: keeps its handlers and all they hold (no setup(), no close()). */
  unchanged: string[];
  /** The entry differs: set up anew; the old instance is closed once nothing of it runs. */
  changed: string[];
  added: string[];
  /** Gets no more events; its queued deliveries still finish, then its close(). */
  removed: string[];
}

/**
 * Top-level settings a running service cannot apply (the sources are listening, the state is
 * open, every reporter was set up with the title and URLs): a change to one is logged as needing
 * a restart. `handlerTimeout` and `setupTimeout` apply at a reload (see ReporterEntry).
 */
const RESTART_ONLY = [
  'sources',
  'stateDir',
  'title',
  'titleURL',
  'buildbotURL',
  'buildbotAPI',
  'logLevel',
  'retention',
  'console',
] as const satisfies ReadonlyArray<keyof Config>;

export function planReload(current: readonly ReporterEntry[], next: readonly ReporterEntry[]): ReloadPlan {
  const before = new Map(current.map((entry) => [entry.prepared.name, entry]));
  const kept = new Set(next.map((entry) => entry.prepared.name));
  const plan: ReloadPlan = {
    unchanged: [],
    changed: [],
    added: [],
    removed: current.map((entry) => entry.prepared.name).filter((name) => !kept.has(name)),
  };
  for (const entry of next) {
    const old = before.get(entry.prepared.name);
    if (!old) plan.added.push(entry.prepared.name);
    else if (isDeepStrictEqual(identity(old), identity(entry))) plan.unchanged.push(entry.prepared.name);
    else plan.changed.push(entry.prepared.name);
  }
  return plan;
}

/** The top-level settings that differ and only a restart applies. */
export function restartOnlyChanges(running: Config, next: Config): string[] {
  return RESTART_ONLY.filter((key) => !isDeepStrictEqual(running[key], next[key]));
}

/** What makes a reporter what it runs as; not where its entry sits in the file. Options with their defaults, so `{}` equals the defaults written out. */
function identity({ prepared, timeoutMs }: ReporterEntry): unknown {
  return {
    package: prepared.plugin.dir,
    options: prepared.options,
    filters: prepared.filters,
    delivery: prepared.spec.delivery,
    tls: prepared.spec.tls,
    timeoutMs,
  };
}
