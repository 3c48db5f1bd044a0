/**
 * What every delivery queue (this process's lanes, Redis jobs) tells the rest of core, the same
 * way: each outcome and each failed attempt logged, counted for metrics and handed to listeners.
 */
import type { Logger } from '../diagnostics/logger.js';
import type { DeliveryOutcome, DeliveryStatus } from '../dispatch/outcomes.js';
import type { QueuedDelivery } from '../plugin-api.js';
import type { DeliveryCounts, FailedAttempt } from './deliveries.js';

export class DeliveryReport {
  private readonly outcomeListeners: Array<(outcome: DeliveryOutcome, delivery: QueuedDelivery) => void> = [];
  private readonly attemptListeners: Array<(failure: FailedAttempt) => void> = [];
  private readonly counters: DeliveryCounts = {};

  constructor(private readonly logger: Logger) {}

  onOutcome(listener: (outcome: DeliveryOutcome, delivery: QueuedDelivery) => void): void {
    this.outcomeListeners.push(listener);
  }

  onFailedAttempt(listener: (failure: FailedAttempt) => void): void {
    this.attemptListeners.push(listener);
  }

  /** Outcome counts so far, per reporter and status (a copy). */
  counts(): DeliveryCounts {
    return structuredClone(this.counters);
  }

  /** A failed attempt; one that is retried (`retryInMs`) is counted and logged as such. */
  attemptFailed(failure: FailedAttempt): void {
    const { delivery, reason, retryInMs } = failure;
    if (retryInMs !== undefined) {
      this.count(delivery.reporter, 'retried');
      this.logger.warn(
        {
          delivery: {
            reporter: delivery.reporter,
            deliveryId: delivery.id,
            target: delivery.target,
            attempt: delivery.attempt,
            waitMs: retryInMs,
            reason,
          },
        },
        'delivery attempt failed; retrying',
      );
    }
    for (const listener of this.attemptListeners) {
      try {
        listener(failure);
      } catch (error) {
        this.logger.error({ err: error }, 'failed attempt listener failed');
      }
    }
  }

  settled(outcome: DeliveryOutcome, delivery: QueuedDelivery): void {
    this.count(outcome.reporter, outcome.status);
    const logger = this.logger;
    if (outcome.status === 'failed') logger.error({ delivery: outcome }, 'delivery failed');
    else if (outcome.status === 'deferred') logger.warn({ delivery: outcome }, 'delivery deferred to the next start');
    else logger.info({ delivery: outcome }, `delivery ${outcome.status}`);
    for (const listener of this.outcomeListeners) {
      try {
        listener(outcome, delivery);
      } catch (error) {
        logger.error({ err: error }, 'delivery outcome listener failed');
      }
    }
  }

  private count(reporter: string, status: DeliveryStatus | 'retried'): void {
    const counts = (this.counters[reporter] ??= {
      sent: 0,
      failed: 0,
      superseded: 0,
      previewed: 0,
      deferred: 0,
      retried: 0,
    });
    counts[status]++;
  }
}
