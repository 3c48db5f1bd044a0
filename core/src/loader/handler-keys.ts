/**
 * The handlers a plugin's setup() returned, checked against its manifest: exactly the declared
 * hooks, nothing unknown, and needs the manifest allows. A mismatch is a plugin bug, reported
 * with the plugin's name before any event reaches it.
 */
import { BbrError } from '../diagnostics/errors.js';
import { eventNames } from '../events/events.js';
import type { ReporterHandlers } from '../plugin-api.js';
import type { PreparedReporter } from './prepare.js';

/** The handlers setup() returned must be exactly the manifest's hooks (plus send/authorize/close/needs, a subset of the manifest's needs). */
export function checkHandlers(r: PreparedReporter, handlers: ReporterHandlers): void {
  const where = `reporter "${r.name}" (${r.plugin.packageName})`;
  if (typeof handlers !== 'object' || handlers === null) {
    throw new BbrError(
      'BBR_PLUGIN_HOOKS',
      `${where}: setup() must return an object of handlers, got ${handlers === null ? 'null' : typeof handlers}`,
    );
  }
  const declared = new Set<string>(r.manifest.hooks);
  const returned = eventNames.filter((name) => (handlers as Record<string, unknown>)[name] !== undefined);
  const missing = [...declared].filter((h) => typeof (handlers as Record<string, unknown>)[h] !== 'function');
  const undeclared = returned.filter((h) => !declared.has(h));
  const extraKeys = ['send', 'authorize', 'close', 'needs'];
  const unknownKeys = Object.keys(handlers).filter((k) => !isEventName(k) && !extraKeys.includes(k));
  const manifestNeeds = new Set<string>(r.manifest.needs ?? []);
  const undeclaredNeeds = (handlers.needs ?? []).filter((n) => !manifestNeeds.has(n));
  const problems = [
    ...missing.map((h) => `manifest declares "${h}" but setup() returned no ${h} function`),
    ...undeclared.map((h) => `setup() returned "${h}" but the manifest's hooks do not list it`),
    ...unknownKeys.map(
      (k) => `setup() returned an unknown key "${k}" (allowed: ${[...eventNames, ...extraKeys].join(', ')})`,
    ),
    ...undeclaredNeeds.map((n) => `setup() needs "${n}" but the manifest's needs do not list it`),
  ];
  if (problems.length) {
    throw new BbrError('BBR_PLUGIN_HOOKS', `${where}: handlers do not match the manifest: ${problems.join('; ')}`);
  }
}

function isEventName(key: string): boolean {
  return (eventNames as readonly string[]).includes(key);
}
