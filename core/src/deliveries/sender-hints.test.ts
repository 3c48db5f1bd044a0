import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../diagnostics/logger.js';
import type { DeliveryOutcome } from '../dispatch/outcomes.js';
import type { QueuedDelivery } from '../plugin-api.js';
import { DeliveryQueue } from './queue.js';
import type { Sender } from './deliveries.js';

const queues: DeliveryQueue[] = [];
afterEach(() => queues.splice(0).forEach((q) => q.close()));

function queueWith(sender: Sender): { queue: DeliveryQueue; outcomes: DeliveryOutcome[] } {
  const queue = new DeliveryQueue({ logger: createLogger({ secrets: new Set(), level: 'silent' }) });
  queue.register('r', sender, { baseDelayMs: 10, maxDelayMs: 20 });
  const outcomes: DeliveryOutcome[] = [];
  queue.onOutcome((o) => outcomes.push(o));
  queues.push(queue);
  return { queue, outcomes };
}

/** A sender that is no HTTP at all: what the queue knows of holds and secrets comes from its hints only. */
function hintedSender(
  attempts: Array<{ target: string; at: number }>,
  hints: Partial<Pick<Sender, 'holdKey' | 'holdsAll' | 'secrets'>>,
): Sender {
  const send = (delivery: QueuedDelivery) => {
    attempts.push({ target: delivery.target, at: Date.now() });
    if (delivery.target === 'a' && delivery.attempt === 1)
      throw Object.assign(new Error('busy, key=sekrit-value'), { retryAfterMs: 300 });
    return 'ok';
  };
  return Object.assign(send, hints);
}

describe("the delivery queue's sender hints (the queue knows no HTTP)", () => {
  it('a failure that holds all makes other targets with the same hold key wait as long as the remote asked', async () => {
    const attempts: Array<{ target: string; at: number }> = [];
    const { queue } = queueWith(hintedSender(attempts, { holdKey: () => 'remote', holdsAll: () => true }));
    const a = queue.enqueue('r', { target: 'a', payload: {} });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = Date.now();
    const b = queue.enqueue('r', { target: 'b', payload: {} });
    expect((await b.settled).status).toBe('sent');
    expect((await a.settled).status).toBe('sent');
    expect(attempts.find((x) => x.target === 'b')!.at - started).toBeGreaterThanOrEqual(200);
  });

  it('without a hold key, another target is sent at once while the first waits', async () => {
    const attempts: Array<{ target: string; at: number }> = [];
    const { queue } = queueWith(hintedSender(attempts, { holdsAll: () => true }));
    const a = queue.enqueue('r', { target: 'a', payload: {} });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = Date.now();
    await queue.enqueue('r', { target: 'b', payload: {} }).settled;
    expect(attempts.find((x) => x.target === 'b')!.at - started).toBeLessThan(150);
    await a.settled;
  });

  it("masks the secrets the sender names in a failed attempt's reason", async () => {
    const send = Object.assign(
      () => {
        throw Object.assign(new Error('refused, key=sekrit-value'), { retryable: false });
      },
      { secrets: () => ['sekrit-value'] },
    );
    const { queue } = queueWith(send);
    const outcome = await queue.enqueue('r', { target: 'a', payload: {} }).settled;
    expect(outcome.status).toBe('failed');
    expect(outcome.reason).toContain('key=********');
    expect(outcome.reason).not.toContain('sekrit');
  });
});
