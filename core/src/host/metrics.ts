/**
 * The service's metrics (docs/operations.md, "Metrics"): one prom-client Registry per service, so
 * several services in one process never share series. Fed where things happen: the sink each
 * source hands its inputs to, an outcome interceptor on the hooks, the delivery queue's outcome and
 * failed-attempt events; depths, ages and connection states are read at scrape time. Labels are
 * reporter names, event kinds, statuses and source types only: never builder names or reasons.
 */
import type * as PromClient from 'prom-client';
import { bundled } from '../lang/bundled.js';
import type { Logger } from '../diagnostics/logger.js';
import type { Backlog, Deliveries } from '../deliveries/deliveries.js';
import type { DispatchInterceptor } from '../dispatch/hooks.js';
import { outcomeInterceptor } from '../dispatch/interceptors.js';
import type { DispatchResult } from '../dispatch/outcomes.js';
import type { LedgerQueries } from '../ledger/ledger.js';
import type { EventSink, ServiceEndpoint, Source } from '../sources/source.js';

// prom-client and @opentelemetry/api (about 90 CommonJS files), bundled (lang/bundled.ts).
const { Counter, Gauge, Histogram, Registry } = bundled<typeof PromClient>('prom-client');

const seconds = (ms: number) => ms / 1000;

export class ServiceMetrics {
  private readonly registry = new Registry();
  private readonly events = new Counter({
    name: 'bbreporters_events_received_total',
    help: 'Events dispatched, by kind and by the type of the source they came from (duplicates included).',
    labelNames: ['kind', 'source'],
    registers: [this.registry],
  });
  private readonly outcomes = new Counter({
    name: 'bbreporters_handler_outcomes_total',
    help: 'Handler outcomes per reporter and status (accepted, skipped, failed, timeout).',
    labelNames: ['reporter', 'status'],
    registers: [this.registry],
  });
  private readonly sent = this.perReporter('bbreporters_deliveries_sent_total', 'Deliveries the remote took.');
  private readonly failed = this.perReporter(
    'bbreporters_delivery_attempts_failed_total',
    'Delivery attempts that failed, retried or not.',
  );
  private readonly retried = this.perReporter('bbreporters_delivery_retries_total', 'Failed attempts tried again.');
  private readonly dead = this.perReporter(
    'bbreporters_deliveries_dead_total',
    'Deliveries failed for good (retries exhausted, not retryable, or unsendable).',
  );
  private readonly latency = new Histogram({
    name: 'bbreporters_delivery_latency_seconds',
    help: 'From core receiving an event to the remote taking a delivery made for it.',
    labelNames: ['reporter'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 3600],
    registers: [this.registry],
  });
  private readonly attempts = new Histogram({
    name: 'bbreporters_delivery_attempts',
    help: 'Attempts a delivery took, observed when it is sent or failed for good.',
    labelNames: ['reporter'],
    buckets: [1, 2, 3, 5, 10, 20, 60],
    registers: [this.registry],
  });

  constructor(private readonly logger: Logger) {}

  private perReporter(name: string, help: string): PromClient.Counter<'reporter'> {
    return new Counter({ name, help, labelNames: ['reporter'], registers: [this.registry] });
  }

  /** The metrics in Prometheus text format. */
  async scrape(): Promise<{ contentType: string; text: string }> {
    return { contentType: this.registry.contentType, text: await this.registry.metrics() };
  }

  /** The http source's `GET /metrics`. */
  readonly endpoint: ServiceEndpoint = {
    path: '/metrics',
    methods: ['GET'],
    handle: async (req, res) => {
      const { contentType, text } = await this.scrape();
      res.writeHead(200, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
      res.end(req.method === 'HEAD' ? undefined : text);
    },
  };

  /** `sink` counting what it dispatched, labelled with the source's type. */
  countingSink(source: Source, sink: EventSink): EventSink {
    return async (input) => {
      const result: DispatchResult = await sink(input);
      this.events.inc({ kind: result.event, source: source.type });
      return result;
    };
  }

  /** The interceptor counting handler outcomes (for RuntimeOptions.interceptors). */
  interceptor(): DispatchInterceptor {
    return outcomeInterceptor(
      'metrics',
      [(outcome) => this.outcomes.inc({ reporter: outcome.reporter, status: outcome.status })],
      this.logger,
    );
  }

  /** Counts the queue's outcomes and failed attempts; its backlog is read at each scrape. */
  watchDeliveries(queue: Deliveries): void {
    queue.onOutcome((outcome, delivery) => {
      const reporter = { reporter: outcome.reporter };
      if (outcome.status === 'sent') {
        this.sent.inc(reporter);
        if (delivery.receivedAt !== undefined)
          this.latency.observe(reporter, seconds(Date.now() - delivery.receivedAt));
      }
      if (outcome.status === 'failed') this.dead.inc(reporter);
      if (outcome.status === 'sent' || (outcome.status === 'failed' && outcome.attempts > 0))
        this.attempts.observe(reporter, outcome.attempts);
    });
    queue.onFailedAttempt(({ delivery, retryInMs }) => {
      this.failed.inc({ reporter: delivery.reporter });
      if (retryInMs !== undefined) this.retried.inc({ reporter: delivery.reporter });
    });
    const gauge = (name: string, help: string, value: (backlog: Backlog) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ['reporter'],
        registers: [this.registry],
        collect() {
          // Only the reporters registered now: one a reload removed leaves the gauge.
          this.reset();
          for (const [reporter, backlog] of queue.backlog()) this.set({ reporter }, value(backlog));
        },
      });
    gauge('bbreporters_delivery_queue_depth', 'Deliveries not settled yet, per reporter.', (b) => b.depth);
    gauge(
      'bbreporters_deliveries_parked',
      'Deliveries waiting a second or more for their next attempt, out of memory (payload in the ledger).',
      (b) => b.parked,
    );
    gauge(
      'bbreporters_delivery_oldest_pending_age_seconds',
      'Age of the oldest delivery not settled yet (0 when none is).',
      (b) => (b.oldestQueuedAt === undefined ? 0 : seconds(Date.now() - b.oldestQueuedAt)),
    );
  }

  /** Connection state of the sources that hold one (a Buildbot master's websocket), read at each scrape. */
  /** Dead letters the ledger holds, read at each scrape: unlike the dead counter, it survives a restart and falls when one is retried. */
  watchLedger(ledger: () => Pick<LedgerQueries, 'deadLetters'> | undefined, reporters: () => readonly string[]): void {
    new Gauge({
      name: 'bbreporters_dead_letters',
      help: 'Deliveries failed for good that the ledger keeps (until retried and sent, or retention), per reporter.',
      labelNames: ['reporter'],
      registers: [this.registry],
      collect() {
        this.reset();
        let dead: Record<string, number> = {};
        try {
          dead = ledger()?.deadLetters() ?? {};
        } catch {
          // The ledger closed (a scrape during shutdown): no figure rather than a failed scrape.
        }
        for (const reporter of new Set([...reporters(), ...Object.keys(dead)]))
          this.set({ reporter }, dead[reporter] ?? 0);
      },
    });
  }

  watchSources(sources: readonly Source[]): void {
    const connected = sources.filter((s) => s.connectionState);
    if (!connected.length) return;
    const states = () => connected.map((s) => ({ source: s.type, state: s.connectionState!() }));
    new Gauge({
      name: 'bbreporters_source_connected',
      help: '1 while the source is connected (a Buildbot websocket up), else 0.',
      labelNames: ['source'],
      registers: [this.registry],
      collect() {
        for (const { source, state } of states()) this.set({ source }, state.up ? 1 : 0);
      },
    });
    new Gauge({
      name: 'bbreporters_source_last_message_age_seconds',
      help: 'Seconds since the last message came over the source connection.',
      labelNames: ['source'],
      registers: [this.registry],
      collect() {
        for (const { source, state } of states())
          if (state.lastMessageAt !== undefined) this.set({ source }, seconds(Date.now() - state.lastMessageAt));
      },
    });
    new Gauge({
      name: 'bbreporters_source_leader',
      help: 'Redis mode: 1 while this instance runs the source (holds its lease), 0 while another does.',
      labelNames: ['source'],
      registers: [this.registry],
      collect() {
        for (const { source, state } of states())
          if (state.leader !== undefined) this.set({ source }, state.leader ? 1 : 0);
      },
    });
  }
}
