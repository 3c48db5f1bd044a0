/**
 * Intake across instances: an event id is claimed in Redis before it is dispatched, so the same
 * event posted to two instances (a load balancer's retry, Buildbot sending twice) is dispatched
 * once. Two steps: `SET NX` with a short ttl while the claimant dispatches, then the full dedupe
 * ttl once its deliveries are queued; a claimant that dies in between loses its claim after the
 * short ttl, so a sender's retry is dispatched then rather than dropped for a day.
 */
import type { Redis } from 'ioredis';

/** How long a claim holds while its instance dispatches (its deliveries are queued long before). */
const DISPATCHING_TTL_MS = 30_000;

export type Claim = { first: true } | { first: false; holder: string };

export class EventClaims {
  constructor(
    private readonly redis: Redis,
    private readonly key: (eventId: string) => string,
    private readonly instance: string,
    private readonly ttlMs: number,
  ) {}

  /** Claims `eventId` for this instance; `first: false` names who has it (dispatching or done). */
  async claim(eventId: string): Promise<Claim> {
    const key = this.key(eventId);
    const value = `dispatching ${this.instance}`;
    const [set, holder] = (await this.redis
      .multi()
      .set(key, value, 'PX', DISPATCHING_TTL_MS, 'NX')
      .get(key)
      .exec()) as [[Error | null, string | null], [Error | null, string | null]];
    if (set[0] || holder[0]) throw set[0] ?? holder[0];
    return set[1] === 'OK' ? { first: true } : { first: false, holder: holder[1] ?? 'an instance' };
  }

  /** The event's deliveries are queued: remembered for the dedupe ttl. */
  async done(eventId: string): Promise<void> {
    await this.redis.set(this.key(eventId), `dispatched ${this.instance}`, 'PX', this.ttlMs);
  }
}
