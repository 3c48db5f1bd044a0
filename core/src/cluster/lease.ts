/**
 * A lease in Redis: what only one instance may do at a time (follow the Buildbot master, hold
 * the IRC connection). Redis's single-instance lock pattern: `SET key me NX PX ttl` to take it,
 * renewed every ttl/3 by a compare-and-set script, released the same way. A holder whose renewal
 * fails (Redis away, or the key gone to another) stops at once; a dead holder's lease expires after
 * `ttlMs`, and the instances that wait try every ttl/5: a takeover within ttl + ttl/5.
 */
import type { Redis } from 'ioredis';
import type { Logger } from '../diagnostics/logger.js';
import { reasonOf } from '../diagnostics/errors.js';
import { within } from '../lang/within.js';

/** Renews (PEXPIRE) only when the key still names this holder: a lease's, a lane's send lock. KEYS: key. ARGV: holder, ttl ms. */
export const RENEW_IF_HOLDER = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
/** Takes a free lease, or keeps one this holder already has (a take whose answer came too late). */
const TAKE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) elseif redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX') then return 1 else return 0 end`;
/** Deletes only when the key still names this holder. */
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

export interface LeaseWork {
  /** Called when this instance takes the lease: start the work. */
  acquired(): void | Promise<void>;
  /** Called when it loses or gives the lease back: stop the work (another instance may start it). */
  lost(): void | Promise<void>;
}

export class Lease {
  private timer: NodeJS.Timeout | undefined;
  private held = false;
  private stopped = false;
  /** The step running (take, renew, hand-over): one at a time. */
  private step: Promise<void> = Promise.resolve();

  constructor(
    private readonly redis: Redis,
    /** The full key, e.g. `bbr:lease:source:buildbot`. */
    readonly key: string,
    private readonly holder: string,
    private readonly ttlMs: number,
    private readonly work: LeaseWork,
    private readonly logger: Logger,
  ) {}

  get isHeld(): boolean {
    return this.held;
  }

  /** Starts trying to take the lease; resolves after the first try. */
  async start(): Promise<void> {
    await this.tick();
  }

  /** Stops the work (if held) and gives the lease back, so another instance takes over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.step;
    if (!this.held) return;
    this.held = false;
    await this.runWork('lost');
    // Bounded: with Redis away the lease simply expires.
    await within(this.ttlMs / 3, this.redis.eval(RELEASE, 1, this.key, this.holder)).catch(() => undefined);
  }

  private tick(): Promise<void> {
    this.step = this.step.then(() => this.once()).finally(() => this.schedule());
    return this.step;
  }

  private schedule(): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), this.held ? this.ttlMs / 3 : this.ttlMs / 5);
  }

  private async once(): Promise<void> {
    if (this.stopped) return;
    let mine: boolean;
    try {
      // Bounded: ioredis holds commands while Redis is away, and a holder that cannot renew in time must stop.
      mine = await within(
        this.ttlMs / 3,
        this.held
          ? this.redis.eval(RENEW_IF_HOLDER, 1, this.key, this.holder, String(this.ttlMs)).then((n) => n === 1)
          : this.redis.eval(TAKE, 1, this.key, this.holder, String(this.ttlMs)).then((n) => n === 1),
      );
    } catch (error) {
      this.logger.warn({ lease: this.key, err: reasonOf(error) }, 'lease: Redis did not answer');
      mine = false;
    }
    if (mine === this.held || this.stopped) return;
    this.held = mine;
    this.logger.info(
      { lease: this.key, holder: this.holder },
      mine ? 'lease taken: this instance does the work' : 'lease lost: another instance takes over',
    );
    await this.runWork(mine ? 'acquired' : 'lost');
  }

  private async runWork(what: 'acquired' | 'lost'): Promise<void> {
    try {
      await this.work[what]();
    } catch (error) {
      this.logger.error(
        { lease: this.key, err: reasonOf(error) },
        `lease: the work failed to ${what === 'acquired' ? 'start' : 'stop'}`,
      );
    }
  }
}
