/**
 * A source that runs on one instance of a cluster at a time (the Redis mode): the `buildbot`
 * source, which would otherwise report every event of the master once per instance. Every
 * instance starts it; the one holding its lease (./lease.ts) follows the master, the others
 * wait. The source's cursor is shared in Redis (./redis-cursor-store.ts), so the instance that
 * takes over reads what the one before saved and catches up over REST on what happened
 * meanwhile, reporting nothing twice.
 *
 * Takeover within 15 s with the default `leaseMs` of 10 s: a dead holder's lease expires at most
 * `leaseMs` after its last renewal, the waiting instances try every `leaseMs`/5, so one takes it
 * within 1.2 × `leaseMs` (12 s), then connects and catches up (measured: about 10 s from the
 * SIGKILL to following, test/scale-out-buildbot.test.ts). A shorter lease takes over sooner, but
 * a holder stops following when Redis does not answer a renewal within `leaseMs`/3: 3.3 s rides
 * out a Redis restart (ioredis holds the renewal until it is back) or a GC pause without a needless
 * hand-over, and a holder cut off from Redis starts stopping before its lease expires. Two may
 * still follow for a moment (a process paused longer than the lease, a close that waits for
 * dispatches): the old one's cursor writes are refused then, and the event claims drop its twins.
 *
 * What the source offers beside events (`master`, `enricher`) are REST calls to the master that
 * need no connection of their own: they work on every instance, holder or not.
 */
import type { Source, EventSink, ConnectionState } from '../sources/source.js';
import type { MasterControl } from '../buildbot-api/master-control.js';
import type { Enricher } from '../enrichment/enricher.js';
import { reasonOf } from '../diagnostics/errors.js';
import type { Cluster } from './cluster.js';
import type { Lease } from './lease.js';

/** The longest pause between two tries to start the source while holding its lease. */
const MAX_START_DELAY_MS = 30_000;

export class LeaderSource implements Source {
  readonly type: string;
  readonly master?: MasterControl;
  readonly enricher?: Enricher;
  private leadership?: Lease;
  private sink?: EventSink;
  /** True while this instance holds the lease: the source should run. */
  private wanted = false;
  /** True while the inner source is started. */
  private running = false;
  /** Starts and stops of the inner source, one after the other. */
  private steps: Promise<void> = Promise.resolve();
  /** Ends a pause between two tries to start (the lease was lost meanwhile). */
  private wake?: () => void;

  constructor(
    private readonly inner: Source,
    /** The lease's name, e.g. `source:buildbot:127.0.0.1_8010`. */
    private readonly name: string,
    private readonly cluster: Cluster,
  ) {
    this.type = inner.type;
    if (inner.master) this.master = inner.master;
    if (inner.enricher) this.enricher = inner.enricher;
  }

  /** Takes part in the lease and returns after its first try: the source starts when (and if) this instance holds it. */
  async start(sink: EventSink): Promise<void> {
    this.sink = sink;
    this.leadership = this.cluster.lease(this.name, {
      acquired: () => this.follow(),
      lost: () => this.unfollow(),
    });
    await this.leadership.start();
  }

  /** Gives the lease back: the source stops here, and a waiting instance takes over at once. */
  async close(): Promise<void> {
    await this.leadership?.stop();
  }

  /** The inner source's connection while it runs here; `leader` says whether this instance holds the lease. */
  connectionState(): ConnectionState {
    const state = this.running ? this.inner.connectionState?.() : undefined;
    return { ...(state ?? { up: false }), leader: this.leadership?.isHeld ?? false };
  }

  /** Not awaited by the lease: starting may take long (a master that is away), renewals must go on meanwhile. */
  private follow(): void {
    this.wanted = true;
    this.steps = this.steps.then(() => this.startInner());
  }

  private async unfollow(): Promise<void> {
    this.wanted = false;
    this.wake?.();
    this.steps = this.steps.then(async () => {
      if (!this.running) return;
      this.running = false;
      await this.inner.close();
      this.cluster.logger.info({ lease: this.name }, 'stopped following: the source runs on another instance now');
    });
    await this.steps;
  }

  private async startInner(): Promise<void> {
    for (let attempt = 0; this.wanted; attempt += 1) {
      try {
        await this.inner.start(this.sink!);
        this.running = true;
        this.cluster.logger.info({ lease: this.name }, 'following: this instance runs the source');
        return;
      } catch (error) {
        const delay = Math.min(1000 * 2 ** attempt, MAX_START_DELAY_MS);
        this.cluster.logger.error(
          { lease: this.name, err: reasonOf(error), retryInMs: delay },
          'the source did not start on the instance holding its lease; trying again',
        );
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delay);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    }
  }
}
