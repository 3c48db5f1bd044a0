/**
 * The wrapper around every handler call. Whatever the handler does (throw, reject, never settle,
 * settle after its timeout) the result is one outcome for that reporter, and the call ends
 * within the timeout: one reporter can never stop or stall the others.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { reasonOf } from '../diagnostics/errors.js';
import type { EventName } from '../events/events.js';
import { isReadOnlyViolation } from '../events/read-only.js';
import type { Logger } from '../diagnostics/logger.js';
import type { HookOutcome } from './outcomes.js';
import { deadline, type Deadline } from './deadlines.js';
import type { HandlerOptions } from '../plugin-api.js';

/** What core keeps about one handler call while it runs. */
export interface HandlerScope {
  eventId: string;
  reporter: string;
  /** Why the handler left the event, or parts of it, unreported (`ctx.skip`). */
  skips: string[];
  /** The ids of the deliveries it made. */
  deliveries: string[];
}

/** The handler call running, so a delivery or a skip made inside it is recorded with its event. */
export const handlerScope = new AsyncLocalStorage<HandlerScope>();

/**
 * Records why the running handler reports (part of) its event with no delivery; false outside a
 * handler. A handler that delivers nothing and says why is `skipped` with that reason.
 */
export function noteSkip(reason: string): boolean {
  const scope = handlerScope.getStore();
  scope?.skips.push(reason);
  return scope !== undefined;
}

/** Records a delivery made by the running handler (none outside a handler): its outcome lists the ids. */
export function noteDelivery(id: string): void {
  handlerScope.getStore()?.deliveries.push(id);
}

export interface GuardedCall<E> {
  reporter: string;
  hook: EventName;
  eventId: string;
  timeoutMs: number;
  handler: (event: E, options: HandlerOptions) => unknown;
  event: E;
  logger: Logger;
  /** Aborts the handler early (core shutting down). */
  shutdown?: AbortSignal | undefined;
  /** Where the outcome is put, under the reporter's name, before the returned promise resolves. */
  outcomes?: Map<string, HookOutcome> | undefined;
}

/** The call's outcome: at once when the handler returned without a promise or threw, else when it settles or times out. */
export function runGuarded<E>(call: GuardedCall<E>): HookOutcome | Promise<HookOutcome> {
  return new GuardedRun(call).start();
}

/**
 * One handler call: its scope, its signal, its timeout, and the outcome that decides first (settle,
 * throw or timeout; a handler that settles later is only logged). A class rather than closures: it
 * runs for every reporter and event. A handler that returns without a promise (most do nothing
 * asynchronous for most events) is decided at once, with no timeout to set.
 */
class GuardedRun<E> {
  private readonly started = performance.now();
  private readonly scope: HandlerScope;
  private controller: AbortController | undefined;
  private onShutdown: (() => void) | undefined;
  private abortReason: Error | undefined;
  private decided = false;
  private timer: Deadline | undefined;
  private resolve: ((outcome: HookOutcome) => void) | undefined;

  constructor(private readonly call: GuardedCall<E>) {
    this.scope = { eventId: call.eventId, reporter: call.reporter, skips: [], deliveries: [] };
  }

  start(): HookOutcome | Promise<HookOutcome> {
    let returned: unknown;
    try {
      returned = handlerScope.run(this.scope, this.call.handler, this.call.event, new CallOptions(this));
    } catch (error) {
      return this.failed(error)!;
    }
    if (returned === null || typeof (returned as PromiseLike<unknown> | undefined)?.then !== 'function')
      return this.decide(this.finished());
    return new Promise<HookOutcome>((resolve) => {
      this.resolve = resolve;
      // From the call's start: the handler's synchronous part counts too.
      this.timer = deadline(this.call.timeoutMs, () => this.timedOut(), this.started);
      (returned as PromiseLike<unknown>).then(
        () => (this.decided ? this.lateSettle(true) : this.decide(this.finished())),
        (error: unknown) => this.failed(error),
      );
    });
  }

  /** The handler's signal, made when first read: most handlers never read it, and an AbortController per call was a large part of a dispatch's cost (see bench/). */
  signal(): AbortSignal {
    if (!this.controller) {
      const controller = (this.controller = new AbortController());
      const shutdown = this.call.shutdown;
      this.onShutdown = () => controller.abort(new Error('core is shutting down'));
      if (this.abortReason) controller.abort(this.abortReason);
      else if (shutdown?.aborted) this.onShutdown();
      else if (!this.decided) shutdown?.addEventListener('abort', this.onShutdown, { once: true });
    }
    return this.controller.signal;
  }

  private decide(result: HookOutcome): HookOutcome {
    this.decided = true;
    this.timer?.clear();
    if (this.onShutdown) this.call.shutdown?.removeEventListener('abort', this.onShutdown);
    this.call.outcomes?.set(this.call.reporter, result);
    this.resolve?.(result);
    return result;
  }

  private timedOut(): void {
    const { timeoutMs } = this.call;
    this.abortReason = new Error(`handler timed out after ${timeoutMs} ms`);
    this.controller?.abort(this.abortReason);
    this.call.logger.error({ ...this.where(), timeoutMs }, 'handler timed out');
    this.decide(this.outcome('timeout', `did not settle within ${timeoutMs} ms`));
  }

  /** The failed outcome; undefined (only logged) when the timeout decided first. */
  private failed(error: unknown): HookOutcome | undefined {
    if (this.decided) {
      this.lateSettle(false);
      return undefined;
    }
    this.call.logger.error({ ...this.where(), err: error }, 'handler failed');
    return this.decide(this.outcome('failed', failureReason(error)));
  }

  private lateSettle(ok: boolean): void {
    this.call.logger.warn({ ...this.where(), ok }, 'handler settled after its timeout; its outcome stays "timeout"');
  }

  /** A handler that said why it left something out: skipped when it delivered nothing, else accepted; with its skips either way. */
  private finished(): HookOutcome {
    const { skips, deliveries } = this.scope;
    if (skips.length === 0) return this.outcome('accepted');
    return deliveries.length === 0
      ? this.outcome('skipped', skips.join('; '), [...skips])
      : this.outcome('accepted', undefined, [...skips]);
  }

  /** Built key by key rather than spread. */
  private outcome(status: HookOutcome['status'], reason?: string, skips?: string[]): HookOutcome {
    const { reporter, hook, eventId } = this.call;
    const result = { reporter, hook, eventId, status } as HookOutcome;
    if (reason !== undefined) result.reason = reason;
    if (skips) result.skips = skips;
    // Whatever the handler's end, the deliveries it made are queued: the outcome names them.
    if (this.scope.deliveries.length) result.deliveries = [...this.scope.deliveries];
    result.durationMs = Math.round((performance.now() - this.started) * 10) / 10;
    return result;
  }

  private where() {
    return { reporter: this.call.reporter, hook: this.call.hook, eventId: this.call.eventId };
  }
}

/** What a handler is given. A getter on a class, not on an object literal: one shape for every call. */
class CallOptions implements HandlerOptions {
  readonly #run: { signal(): AbortSignal };
  constructor(run: { signal(): AbortSignal }) {
    this.#run = run;
  }
  get signal(): AbortSignal {
    return this.#run.signal();
  }
}

/** A handler's error in words; a write to the read-only event says so and how to do it instead. */
function failureReason(error: unknown): string {
  if (!isReadOnlyViolation(error)) return reasonOf(error);
  return `the handler changed the event, which is read-only (every reporter sees the same event): ${reasonOf(error)}; change a copy instead (structuredClone(event))`;
}
