/**
 * Deliveries: a handler decides what to send (`ctx.deliver({target, payload})`), this queue sends
 * it through the reporter's `send`. Deliveries to one target go out in order. Every delivery ends
 * with exactly one outcome, logged and handed to listeners; nothing is dropped silently.
 */
import { randomUUID } from 'node:crypto';
import { reasonOf } from './errors.js';
import type { Logger } from './logger.js';
import { KeyedSerializer } from './ordering.js';
import type { DeliveryOutcome } from './outcomes.js';
import type { Delivery, DeliveryHandle, QueuedDelivery, SendOptions } from './plugin-api.js';

export type Sender = (delivery: QueuedDelivery, options: SendOptions) => unknown | Promise<unknown>;

export interface DeliveryQueueOptions {
  logger: Logger;
  /** Never send: each delivery settles as 'previewed' (listeners still see target and payload). */
  dryRun?: boolean;
}

export class DeliveryQueue {
  private readonly senders = new Map<string, Sender>();
  private readonly order = new KeyedSerializer();
  private readonly pending = new Set<Promise<DeliveryOutcome>>();
  private readonly listeners: Array<(outcome: DeliveryOutcome, delivery: QueuedDelivery) => void> = [];
  private readonly abort = new AbortController();

  constructor(private readonly options: DeliveryQueueOptions) {}

  /** The reporter's sender; a reporter without one cannot deliver. */
  register(reporter: string, sender: Sender | undefined): void {
    if (sender) this.senders.set(reporter, sender);
  }

  onOutcome(listener: (outcome: DeliveryOutcome, delivery: QueuedDelivery) => void): void {
    this.listeners.push(listener);
  }

  enqueue(reporter: string, delivery: Delivery, eventId?: string): DeliveryHandle {
    const queued: QueuedDelivery = {
      id: randomUUID(),
      reporter,
      target: delivery.target,
      payload: delivery.payload,
      attempt: 1,
      ...(eventId === undefined ? {} : { eventId }),
    };
    const settled = this.order.run(`${reporter}\u0000${delivery.target}`, () => this.send(queued));
    this.pending.add(settled);
    void settled.then(() => this.pending.delete(settled));
    return { id: queued.id, settled };
  }

  private async send(delivery: QueuedDelivery): Promise<DeliveryOutcome> {
    const base = {
      reporter: delivery.reporter,
      deliveryId: delivery.id,
      target: delivery.target,
      ...(delivery.eventId === undefined ? {} : { eventId: delivery.eventId }),
    };
    let outcome: DeliveryOutcome;
    const sender = this.senders.get(delivery.reporter);
    if (this.options.dryRun) {
      outcome = { ...base, status: 'previewed', attempts: 0 };
    } else if (!sender) {
      outcome = { ...base, status: 'failed', attempts: 0, reason: 'the reporter has no send()' };
    } else {
      try {
        const response = await sender(delivery, { signal: this.abort.signal });
        outcome = { ...base, status: 'sent', attempts: 1, ...(response === undefined ? {} : { response }) };
      } catch (error) {
        outcome = { ...base, status: 'failed', attempts: 1, reason: reasonOf(error) };
      }
    }
    this.record(outcome, delivery);
    return outcome;
  }

  private record(outcome: DeliveryOutcome, delivery: QueuedDelivery): void {
    const log = outcome.status === 'failed' ? this.options.logger.error.bind(this.options.logger) : this.options.logger.info.bind(this.options.logger);
    log({ delivery: outcome }, `delivery ${outcome.status}`);
    for (const listener of this.listeners) {
      try {
        listener(outcome, delivery);
      } catch (error) {
        this.options.logger.error({ err: error }, 'delivery outcome listener failed');
      }
    }
  }

  /** Waits until every queued delivery has its outcome, or `timeoutMs` passes; returns how many are still pending. */
  async drain(timeoutMs = 30_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (this.pending.size > 0 && Date.now() < deadline) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled([...this.pending]),
        new Promise((resolve) => (timer = setTimeout(resolve, Math.max(0, deadline - Date.now())))),
      ]);
      clearTimeout(timer);
    }
    return this.pending.size;
  }

  /** Aborts sends still running (after drain). */
  close(): void {
    this.abort.abort(new Error('delivery queue closed'));
  }
}
