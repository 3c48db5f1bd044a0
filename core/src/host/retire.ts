/**
 * A reporter instance a reload replaced or removed, brought to an end without losing what it
 * holds: the events it was handling finish, then its deliveries (removed: every queued one
 * settles; changed: its own attempts in flight end, as the new instance sends the rest), then
 * its close(). Close may still deliver (a batch it flushes): a removed reporter's sender stays
 * registered until that settles too.
 */
import type { Deliveries } from '../deliveries/deliveries.js';
import type { TrackedSender } from '../deliveries/tracked-sender.js';
import type { Logger } from '../diagnostics/logger.js';
import type { ActiveReporter, Dispatcher } from '../dispatch/dispatcher.js';

/** How often a removed reporter's backlog is looked at: a cheap walk, and a close a fraction of a second late costs nothing. */
const BACKLOG_POLL_MS = 200;

export interface Retiring {
  reporter: ActiveReporter;
  sender: TrackedSender;
  why: 'changed' | 'removed';
  /** The dispatcher it was tapped on (events in flight finish there). */
  dispatcher: Dispatcher;
}

export async function retire(
  { reporter, sender, why, dispatcher }: Retiring,
  env: {
    deliveries: Deliveries;
    logger: Logger;
    /** Whether a later reload brought a reporter of this name back (then its registration is the new one's). */
    isConfigured: (name: string) => boolean;
  },
): Promise<void> {
  await dispatcher.idle();
  if (why === 'removed') await settled(reporter.name, env.deliveries);
  await sender.idle();
  try {
    await reporter.handlers.close?.();
  } catch (error) {
    env.logger.error({ reporter: reporter.name, err: error }, 'reporter close() failed');
  }
  if (why === 'removed') {
    await settled(reporter.name, env.deliveries);
    if (!env.isConfigured(reporter.name)) env.deliveries.unregister(reporter.name);
  }
  env.logger.info({ reporter: reporter.name, why }, `reporter closed after the reload (${why})`);
}

/** Resolves once the reporter has no delivery without an outcome (a closed queue settles them all). */
async function settled(name: string, deliveries: Deliveries): Promise<void> {
  while (deliveries.backlog().get(name)?.depth) await new Promise((resolve) => setTimeout(resolve, BACKLOG_POLL_MS));
}
