/**
 * The buildbot source's cursor in Redis (sources/buildbot/cursor.ts): one string key, shared by
 * the instances of a cluster, so the instance that takes the source's lease over goes on from
 * what the one before saved. Only the lease's holder writes: a write is refused once the lease
 * names another instance, so a holder that lost it (Redis slow, the process paused) cannot put
 * an older view back over the newer one.
 */
import type { Redis } from 'ioredis';
import { within } from '../lang/within.js';
import type { CursorStore } from '../sources/buildbot/cursor.js';

/** SET the cursor only while the lease still names this holder. */
const WRITE_WHILE_HOLDER = `if redis.call('get', KEYS[1]) == ARGV[1] then redis.call('set', KEYS[2], ARGV[2]) return 1 else return 0 end`;

/** How long a cursor write waits for Redis. */
const WRITE_WAIT_MS = 3000;

export class RedisCursorStore implements CursorStore {
  constructor(
    private readonly redis: Redis,
    /** The cursor's key, e.g. `bbr:cursor:source:buildbot:127.0.0.1_8010`. */
    private readonly key: string,
    /** The key of the lease whose holder may write. */
    private readonly leaseKey: string,
    private readonly holder: string,
  ) {}

  get where(): string {
    return `Redis key ${this.key}`;
  }

  async read(): Promise<string | undefined> {
    return (await this.redis.get(this.key)) ?? undefined;
  }

  async write(text: string): Promise<void> {
    // Bounded: a follower that stops while Redis is away must not wait for it (the next follower reads what was written).
    const written = await within(
      WRITE_WAIT_MS,
      this.redis.eval(WRITE_WHILE_HOLDER, 2, this.leaseKey, this.key, this.holder, text),
    );
    if (written !== 1)
      throw new Error(`not written to ${this.where}: this instance (${this.holder}) no longer holds ${this.leaseKey}`);
  }
}
