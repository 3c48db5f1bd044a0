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
import { deadline } from './deadlines.js';
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

export function runGuarded<E>(call: GuardedCall<E>): Promise<HookOutcome> {
  const started = performance.now();
  const scope: HandlerScope = { eventId: call.eventId, reporter: call.reporter, skips: [], deliveries: [] };
  // Built key by key rather than spread: this runs for every reporter and event.
  const outcome = (status: HookOutcome['status'], reason?: string, skips?: string[]): HookOutcome => {
    const result: HookOutcome = {
      reporter: call.reporter,
      hook: call.hook,
      eventId: call.eventId,
      status,
    } as HookOutcome;
    if (reason !== undefined) result.reason = reason;
    if (skips) result.skips = skips;
    // Whatever the handler's end, the deliveries it made are queued: the outcome names them.
    if (scope.deliveries.length) result.deliveries = [...scope.deliveries];
    result.durationMs = Math.round((performance.now() - started) * 10) / 10;
    return result;
  };
  // A handler that said why it left something out: skipped when it delivered nothing, else accepted; with its skips either way.
  const finished = (): HookOutcome => {
    if (scope.skips.length === 0) return outcome('accepted');
    const skips = [...scope.skips];
    return scope.deliveries.length === 0
      ? outcome('skipped', skips.join('; '), skips)
      : outcome('accepted', undefined, skips);
  };
  const where = () => ({ reporter: call.reporter, hook: call.hook, eventId: call.eventId });
  // The AbortController is made only when the handler reads its signal: most handlers never do,
  // and one per call was a large part of a dispatch's cost (see bench/).
  let controller: AbortController | undefined;
  let abortReason: Error | undefined;
  const onShutdown = () => controller?.abort(new Error('core is shutting down'));
  const options: HandlerOptions = {
    get signal() {
      if (!controller) {
        controller = new AbortController();
        if (abortReason) controller.abort(abortReason);
        else if (call.shutdown?.aborted) onShutdown();
        else call.shutdown?.addEventListener('abort', onShutdown, { once: true });
      }
      return controller.signal;
    },
  };

  return new Promise<HookOutcome>((resolve) => {
    // The first of settle / throw / timeout decides; a handler that settles later is only logged.
    let decided = false;
    const decide = (result: HookOutcome) => {
      decided = true;
      timer.clear();
      if (controller) call.shutdown?.removeEventListener('abort', onShutdown);
      call.outcomes?.set(call.reporter, result);
      resolve(result);
    };
    const timer = deadline(call.timeoutMs, () => {
      abortReason = new Error(`handler timed out after ${call.timeoutMs} ms`);
      controller?.abort(abortReason);
      call.logger.error({ ...where(), timeoutMs: call.timeoutMs }, 'handler timed out');
      decide(outcome('timeout', `did not settle within ${call.timeoutMs} ms`));
    });
    const failed = (error: unknown) => {
      if (decided) return lateSettle(false);
      call.logger.error({ ...where(), err: error }, 'handler failed');
      decide(outcome('failed', failureReason(error)));
    };
    const lateSettle = (ok: boolean) =>
      call.logger.warn({ ...where(), ok }, 'handler settled after its timeout; its outcome stays "timeout"');
    let returned: unknown;
    try {
      returned = handlerScope.run(scope, call.handler, call.event, options);
    } catch (error) {
      failed(error);
      return;
    }
    if (returned !== null && typeof (returned as PromiseLike<unknown> | undefined)?.then === 'function') {
      (returned as PromiseLike<unknown>).then(() => (decided ? lateSettle(true) : decide(finished())), failed);
    } else {
      decide(finished());
    }
  });
}

/** A handler's error in words; a write to the read-only event says so and how to do it instead. */
function failureReason(error: unknown): string {
  if (!isReadOnlyViolation(error)) return reasonOf(error);
  return `the handler changed the event, which is read-only (every reporter sees the same event): ${reasonOf(error)}; change a copy instead (structuredClone(event))`;
}
