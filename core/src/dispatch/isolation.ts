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
import type { HandlerOptions } from '../plugin-api.js';
import { defined } from '../lang/defined.js';

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
  shutdown?: AbortSignal;
}

export function runGuarded<E>(call: GuardedCall<E>): Promise<HookOutcome> {
  const started = performance.now();
  const base = { reporter: call.reporter, hook: call.hook, eventId: call.eventId };
  const scope: HandlerScope = { eventId: call.eventId, reporter: call.reporter, skips: [], deliveries: [] };
  const outcome = (status: HookOutcome['status'], reason?: string, skips?: string[]): HookOutcome => ({
    ...base,
    status,
    // Whatever the handler's end, the deliveries it made are queued: the outcome names them.
    ...defined({ reason, skips, deliveries: scope.deliveries.length ? [...scope.deliveries] : undefined }),
    durationMs: Math.round((performance.now() - started) * 10) / 10,
  });
  // A handler that said why it left something out: skipped when it delivered nothing, else accepted; with its skips either way.
  const finished = (): HookOutcome => {
    if (scope.skips.length === 0) return outcome('accepted');
    const skips = [...scope.skips];
    return scope.deliveries.length === 0
      ? outcome('skipped', skips.join('; '), skips)
      : outcome('accepted', undefined, skips);
  };
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
      clearTimeout(timer);
      if (controller) call.shutdown?.removeEventListener('abort', onShutdown);
      resolve(result);
    };
    const timer = setTimeout(() => {
      abortReason = new Error(`handler timed out after ${call.timeoutMs} ms`);
      controller?.abort(abortReason);
      call.logger.error({ ...base, timeoutMs: call.timeoutMs }, 'handler timed out');
      decide(outcome('timeout', `did not settle within ${call.timeoutMs} ms`));
    }, call.timeoutMs);
    const settled = (error?: { error: unknown }) => {
      if (decided) {
        call.logger.warn({ ...base, ok: !error }, 'handler settled after its timeout; its outcome stays "timeout"');
        return;
      }
      if (!error) return decide(finished());
      call.logger.error({ ...base, err: error.error }, 'handler failed');
      decide(outcome('failed', failureReason(error.error)));
    };
    let returned: unknown;
    try {
      returned = handlerScope.run(scope, () => call.handler(call.event, options));
    } catch (error) {
      settled({ error });
      return;
    }
    if (returned !== null && typeof (returned as PromiseLike<unknown> | undefined)?.then === 'function') {
      (returned as PromiseLike<unknown>).then(
        () => settled(),
        (error: unknown) => settled({ error }),
      );
    } else {
      settled();
    }
  });
}

/** A handler's error in words; a write to the read-only event says so and how to do it instead. */
function failureReason(error: unknown): string {
  if (!isReadOnlyViolation(error)) return reasonOf(error);
  return `the handler changed the event, which is read-only (every reporter sees the same event): ${reasonOf(error)}; change a copy instead (structuredClone(event))`;
}
