/**
 * Intake across instances: an event id is claimed in Redis before it is dispatched, so the same
 * event posted to two instances (a load balancer's retry, Buildbot sending twice) is dispatched
 * once. Two steps: `dispatching <instance>` while the claimant dispatches, then `dispatched` for
 * the dedupe ttl once its deliveries are queued. A copy arriving while another instance
 * dispatches waits for that to end; if that instance dies meanwhile (its presence key expires),
 * the copy takes the claim over and is dispatched: a sender's retry after a crash is not dropped.
 * A dispatch done twice that way queues nothing twice (deliveries' job ids are deterministic).
 */
import type { Redis } from 'ioredis';

/** How long a claim holds while its instance dispatches, should it never say it is done. */
const DISPATCHING_TTL_MS = 60_000;
/** How often a copy waiting for another instance's dispatch looks again. */
const POLL_MS = 100;

/**
 * KEYS: claim, the holder's presence key prefix (presence = prefix .. holder). ARGV: this instance, ttl ms.
 * Returns 'first', or the claim's value when another live instance has it. This instance's own
 * claim is 'first' again: a claim resent after Redis restarted (its answer lost) must not drop the
 * event (two copies in one process are dropped by the dispatcher's own window).
 */
const CLAIM = `
local value = redis.call('get', KEYS[1])
if value then
  local holder = string.match(value, '^dispatching (.+)$')
  if not holder then return value end
  if holder ~= ARGV[1] and redis.call('exists', KEYS[2] .. holder) == 1 then return value end
end
redis.call('set', KEYS[1], 'dispatching ' .. ARGV[1], 'PX', ARGV[2])
return 'first'`;

export type Claim = { first: true } | { first: false; holder: string };

export class EventClaims {
  constructor(
    private readonly redis: Redis,
    private readonly keys: { claim: (eventId: string) => string; presencePrefix: string },
    private readonly instance: string,
    private readonly ttlMs: number,
    /** How long a copy waits for another instance's dispatch to end (more than a presence key lives). */
    readonly waitMs: number,
  ) {}

  /** Claims `eventId` for this instance; `first: false` names who had it. */
  async claim(eventId: string): Promise<Claim> {
    const deadline = Date.now() + this.waitMs;
    for (;;) {
      const value = (await this.redis.eval(
        CLAIM,
        2,
        this.keys.claim(eventId),
        this.keys.presencePrefix,
        this.instance,
        String(DISPATCHING_TTL_MS),
      )) as string;
      if (value === 'first') return { first: true };
      if (!value.startsWith('dispatching ') || Date.now() >= deadline)
        return { first: false, holder: value.replace(/^\w+ /, '') };
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  /** The event's deliveries are queued: remembered for the dedupe ttl. */
  async done(eventId: string): Promise<void> {
    await this.redis.set(this.keys.claim(eventId), `dispatched ${this.instance}`, 'PX', this.ttlMs);
  }
}
