/**
 * A sender that knows whether one of its attempts is in flight. After a reload changed a
 * reporter, the queue sends with the new sender from each delivery's next attempt; the old
 * instance is closed only once its own attempts are over.
 */
import type { Sender } from './deliveries.js';

export type TrackedSender = Sender & {
  /** Resolves once no attempt of this sender is in flight. */
  idle(): Promise<void>;
};

export function trackAttempts(sender: Sender): TrackedSender {
  let inFlight = 0;
  let waiters: Array<() => void> = [];
  const tracked: Sender = async (delivery, options) => {
    inFlight++;
    try {
      return await sender(delivery, options);
    } finally {
      if (--inFlight === 0) {
        for (const wake of waiters) wake();
        waiters = [];
      }
    }
  };
  // preflight, holdKey, holdsAll, secrets: the queue asks the same sender.
  return Object.assign(tracked, sender, {
    idle: () => (inFlight ? new Promise<void>((resolve) => waiters.push(resolve)) : Promise.resolve()),
  });
}
