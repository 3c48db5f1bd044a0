/**
 * The dispatcher: taps every reporter's handlers onto core's hooks (wrapped by `runGuarded`),
 * orders a build's events per reporter, drops duplicate events, hands every reporter the same
 * read-only event, and returns one outcome per reporter for each event. What watches dispatches
 * (counting, tracing) intercepts the hooks instead (./interceptors.ts).
 */
import type { Logger } from '../diagnostics/logger.js';
import type { BbEvent, EventName } from '../events/events.js';
import { eventNames } from '../events/events.js';
import { freezeEvent } from '../events/read-only.js';
import type { ReporterHandlers } from '../plugin-api.js';
import { callHook, createHooks, interceptHooks, tapHook, type DispatchInterceptor, type Hooks } from './hooks.js';
import { guardInterceptor } from './interceptors.js';
import { runGuarded } from './isolation.js';
import { KeyedSerializer, orderingKey } from './ordering.js';
import { RecentIds } from './recent-ids.js';
import type { DispatchResult, HookOutcome } from './outcomes.js';

export interface ActiveReporter {
  name: string;
  /** Events the manifest declares; the handlers for them are in `handlers`. */
  hooks: readonly EventName[];
  handlers: ReporterHandlers;
  timeoutMs: number;
  logger: Logger;
  /** Why the reporter should not see this event (a filter), or undefined to run it. */
  skipReason?: (event: BbEvent) => string | undefined | Promise<string | undefined>;
}

export interface DispatcherOptions {
  logger: Logger;
  /** How many recent event ids are remembered to drop duplicates. */
  dedupeWindow?: number;
  /** Aborted when core shuts down: running handlers see their signal aborted. */
  shutdown?: AbortSignal;
  /** Added to every hook once the reporters are tapped. */
  interceptors?: readonly DispatchInterceptor[];
  /**
   * The dispatcher this one replaces (a reload): its duplicate window and each continuing
   * reporter's per-build order carry over, so an event dispatched again or a build's next event
   * is no different across the switch.
   */
  previous?: Dispatcher;
}

export class Dispatcher {
  readonly hooks: Hooks = createHooks();
  private readonly seen: RecentIds;
  private readonly serializers = new Map<string, KeyedSerializer>();
  /** Dispatches not finished yet, and who waits for none to be left (idle()). */
  private running = 0;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly reporters: readonly ActiveReporter[],
    private readonly options: DispatcherOptions,
  ) {
    this.seen = options.previous?.seen ?? new RecentIds(options.dedupeWindow ?? 10_000);
    for (const reporter of reporters) {
      this.serializers.set(reporter.name, options.previous?.serializers.get(reporter.name) ?? new KeyedSerializer());
      for (const hook of eventNames) {
        // The outcome goes into the record; the tap's value, which tapable ignores, is left as it is (no then() per call).
        tapHook(
          this.hooks,
          hook,
          reporter.name,
          (event, record) => this.invoke(hook, reporter, event, record.outcomes) as Promise<unknown> as Promise<void>,
        );
      }
    }
    for (const interceptor of options.interceptors ?? [])
      interceptHooks(this.hooks, guardInterceptor(interceptor, options.logger));
  }

  /**
   * One reporter's outcome for `event`; put in `outcomes` (when given) under the reporter's name
   * before the promise resolves, so whoever waits on the tap finds it there.
   */
  private invoke(
    hook: EventName,
    reporter: ActiveReporter,
    event: BbEvent,
    outcomes?: Map<string, HookOutcome>,
  ): Promise<HookOutcome> {
    const decided = (outcome: HookOutcome): HookOutcome => {
      outcomes?.set(reporter.name, outcome);
      return outcome;
    };
    const handler = reporter.handlers[hook] as ((event: BbEvent, o: { signal: AbortSignal }) => unknown) | undefined;
    if (!handler) return Promise.resolve(decided(skipped(reporter, hook, event, `does not handle ${hook}`)));
    const run = (): HookOutcome | Promise<HookOutcome> =>
      runGuarded({
        reporter: reporter.name,
        hook,
        eventId: event.id,
        timeoutMs: reporter.timeoutMs,
        handler,
        event,
        logger: reporter.logger,
        shutdown: this.options.shutdown,
        outcomes,
      });
    const filterFailed = (error: unknown): HookOutcome => {
      reporter.logger.error({ err: error, eventId: event.id }, 'filter failed');
      return decided({
        reporter: reporter.name,
        hook,
        eventId: event.id,
        status: 'failed',
        reason: `filter failed: ${String(error)}`,
        durationMs: 0,
      });
    };
    // The filter is synchronous for core's reporters: awaited only when it returns a promise.
    const filtered = (): HookOutcome | Promise<HookOutcome> => {
      let reason: ReturnType<NonNullable<ActiveReporter['skipReason']>>;
      try {
        reason = reporter.skipReason?.(event);
      } catch (error) {
        return filterFailed(error);
      }
      if (reason === undefined || typeof reason === 'string')
        return reason ? decided(skipped(reporter, hook, event, reason)) : run();
      return Promise.resolve(reason).then(
        (r) => (r ? decided(skipped(reporter, hook, event, r)) : run()),
        filterFailed,
      );
    };
    return this.serializers.get(reporter.name)!.run(orderingKey(event), filtered);
  }

  /**
   * Calls every reporter for `event`; resolves when all of them have an outcome. The event is
   * frozen first: every reporter sees it as it came, whatever another one tries.
   */
  async dispatch(event: BbEvent): Promise<DispatchResult> {
    if (this.seen.has(event.id)) {
      this.options.logger.info({ eventId: event.id }, 'duplicate event dropped');
      return { eventId: event.id, event: event.event, duplicate: true, outcomes: [] };
    }
    this.seen.add(event.id);
    const record = { outcomes: new Map<string, HookOutcome>() };
    this.running++;
    try {
      await callHook(this.hooks, freezeEvent(event), record);
    } finally {
      if (--this.running === 0) for (const wake of this.idleWaiters.splice(0)) wake();
    }
    const outcomes = this.reporters.map((r) => record.outcomes.get(r.name) ?? lostOutcome(r, event));
    return { eventId: event.id, event: event.event, duplicate: false, outcomes };
  }

  /** Resolves once no dispatch is running: after a reload, when the replaced dispatcher's events are done. */
  idle(): Promise<void> {
    return this.running ? new Promise((resolve) => this.idleWaiters.push(resolve)) : Promise.resolve();
  }

  /**
   * Runs `event` again at the named reporters (all when none are named), seen before or not: an
   * operator's redelivery. Watchers (interceptors) do not see it; the outcomes are returned.
   */
  async redeliver(event: BbEvent, reporters?: readonly string[]): Promise<HookOutcome[]> {
    const frozen = freezeEvent(event);
    const chosen = this.reporters.filter((r) => !reporters || reporters.includes(r.name));
    return Promise.all(chosen.map((r) => this.invoke(event.event, r, frozen)));
  }
}

/** The outcome of a reporter that does not see `event` (its filter, or it does not handle the hook). */
function skipped(reporter: ActiveReporter, hook: EventName, event: BbEvent, reason: string): HookOutcome {
  return { reporter: reporter.name, hook, eventId: event.id, status: 'skipped', reason, durationMs: 0 };
}

/** A reporter whose tap an interceptor broke has no outcome of its own: say so, never leave it out. */
function lostOutcome(reporter: ActiveReporter, event: BbEvent): HookOutcome {
  return {
    reporter: reporter.name,
    hook: event.event,
    eventId: event.id,
    status: 'failed',
    reason: 'no outcome: a hook interceptor failed around this reporter (see the log)',
    durationMs: 0,
  };
}
