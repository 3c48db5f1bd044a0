/**
 * Interceptors on the hook catalogue: what watches dispatches without being part of them. Each
 * wraps the reporters' taps (tapable's `register`) and sees a reporter's outcome the moment that
 * reporter is done. Counting (for metrics) and tracing (the log) attach here, and a later ledger
 * can attach the same way, so the dispatcher only dispatches.
 */
import type { Logger } from '../diagnostics/logger.js';
import type { BbEvent } from '../events/events.js';
import type { DispatchInterceptor, DispatchRecord } from './hooks.js';
import type { HookOutcome, HookStatus } from './outcomes.js';

/**
 * `interceptor` with every part of it guarded: a throw or a rejection is logged and the dispatch
 * goes on (a tap wrapped by `register` that fails leaves its reporter without an outcome, which
 * the dispatcher reports as failed).
 */
export function guardInterceptor(interceptor: DispatchInterceptor, logger: Logger): DispatchInterceptor {
  if (selfGuarded.has(interceptor)) return interceptor;
  const name = interceptor.name ?? 'unnamed';
  const report = (error: unknown) =>
    logger.error({ err: error, interceptor: name }, 'a hook interceptor failed; the dispatch goes on');
  const guard = <A extends unknown[]>(fn: ((...args: A) => void) | undefined) =>
    fn &&
    ((...args: A) => {
      try {
        fn(...args);
      } catch (error) {
        report(error);
      }
    });
  const { register } = interceptor;
  return {
    ...interceptor,
    call: guard(interceptor.call),
    tap: guard(interceptor.tap),
    error: guard(interceptor.error),
    done: guard(interceptor.done),
    ...(register && {
      register: (tap) => {
        let wrapped;
        try {
          wrapped = register(tap);
        } catch (error) {
          report(error);
          return tap;
        }
        const fn = wrapped.fn as (event: BbEvent, record: DispatchRecord) => Promise<void>;
        // One promise per call (this runs for every reporter and event): a throw or a rejection is reported.
        const guarded = (event: BbEvent, record: DispatchRecord): Promise<void> => {
          let result: Promise<void>;
          try {
            result = fn(event, record);
          } catch (error) {
            report(error);
            return Promise.resolve();
          }
          return Promise.resolve(result).then(undefined, report);
        };
        return { ...wrapped, fn: guarded };
      },
    }),
  };
}

export type OutcomeListener = (outcome: HookOutcome, event: BbEvent) => void;

/**
 * The interceptors outcomeInterceptor made: they guard each listener themselves and wrap a tap that
 * never throws or rejects (the dispatcher's, or one wrapped by a guard), so a second guard, a
 * promise per reporter and event, would add nothing.
 */
const selfGuarded = new WeakSet<DispatchInterceptor>();

/**
 * Hands each reporter's outcome to every listener as soon as that reporter's tap finishes (one
 * wrapper per tap however many listeners). A listener that throws is logged; it can never fail or
 * delay the dispatch.
 */
export function outcomeInterceptor(
  name: string,
  listeners: readonly OutcomeListener[],
  logger: Logger,
): DispatchInterceptor {
  const notify = (outcome: HookOutcome, event: BbEvent) => {
    for (const listener of listeners) {
      try {
        listener(outcome, event);
      } catch (error) {
        logger.error({ err: error, interceptor: name }, 'a hook interceptor failed; the dispatch goes on');
      }
    }
  };
  const interceptor: DispatchInterceptor = {
    name,
    register: (tap) => {
      const fn = tap.fn as (event: BbEvent, record: DispatchRecord) => Promise<void>;
      // A plain then() rather than an async wrapper: this runs for every reporter and event.
      const observed = (event: BbEvent, record: DispatchRecord): Promise<void> =>
        fn(event, record).then(() => {
          const outcome = record.outcomes.get(tap.name);
          if (outcome) notify(outcome, event);
        });
      return { ...tap, fn: observed };
    },
  };
  selfGuarded.add(interceptor);
  return interceptor;
}

export type HookCounts = Record<string, Record<HookStatus, number>>;

/** Handler outcomes per reporter and status since start (for metrics); `record` is the listener. */
export class OutcomeCounter {
  private readonly counters: HookCounts = {};

  readonly record: OutcomeListener = (outcome) => {
    const counts = (this.counters[outcome.reporter] ??= { accepted: 0, skipped: 0, failed: 0, timeout: 0 });
    counts[outcome.status]++;
  };

  /** A copy of the counts so far. */
  counts(): HookCounts {
    return structuredClone(this.counters);
  }
}

/** A listener writing one debug line per reporter and event: status, duration and reason. */
export function outcomeTracer(logger: Logger): OutcomeListener {
  return (outcome) => logger.debug({ outcome }, `handler ${outcome.status}`);
}
