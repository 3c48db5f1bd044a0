/**
 * The wrapper around every handler call. Whatever the handler does (throw, reject, never settle,
 * settle after its timeout) the result is one outcome for that reporter, and the call ends
 * within the timeout: one reporter can never stop or stall the others.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { reasonOf } from './errors.js';
import type { EventName } from './events.js';
import type { Logger } from './logger.js';
import type { HookOutcome } from './outcomes.js';
import type { HandlerOptions } from './plugin-api.js';

/** The event a handler is running for, so a delivery made inside it records the event's id. */
export const handlerScope = new AsyncLocalStorage<{ eventId: string; reporter: string }>();

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

export async function runGuarded<E>(call: GuardedCall<E>): Promise<HookOutcome> {
  const started = performance.now();
  const controller = new AbortController();
  const onShutdown = () => controller.abort(new Error('core is shutting down'));
  call.shutdown?.addEventListener('abort', onShutdown, { once: true });
  const base = { reporter: call.reporter, hook: call.hook, eventId: call.eventId };
  const finish = (status: HookOutcome['status'], reason?: string): HookOutcome => ({
    ...base,
    status,
    ...(reason === undefined ? {} : { reason }),
    durationMs: Math.round((performance.now() - started) * 10) / 10,
  });

  let timer: NodeJS.Timeout | undefined;
  let timedOut = false;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new Error(`handler timed out after ${call.timeoutMs} ms`));
      resolve('timeout');
    }, call.timeoutMs);
  });

  // Calling inside a promise turns a synchronous throw into a rejection.
  const work = new Promise<void>((resolve, reject) => {
    handlerScope.run({ eventId: call.eventId, reporter: call.reporter }, () =>
      Promise.resolve(call.handler(call.event, { signal: controller.signal })).then(() => resolve(), reject));
  }).then(
    () => ({ ok: true as const }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  // A handler that settles after its timeout is logged, never counted a second time.
  void work.then((late) => {
    if (timedOut) {
      call.logger.warn({ reporter: call.reporter, hook: call.hook, eventId: call.eventId, ok: late.ok },
        'handler settled after its timeout; its outcome stays "timeout"');
    }
  });

  try {
    const result = await Promise.race([work, timeout]);
    if (result === 'timeout') {
      call.logger.error({ ...base, timeoutMs: call.timeoutMs }, 'handler timed out');
      return finish('timeout', `did not settle within ${call.timeoutMs} ms`);
    }
    if (!result.ok) {
      call.logger.error({ ...base, err: result.error }, 'handler failed');
      return finish('failed', reasonOf(result.error));
    }
    return finish('accepted');
  } finally {
    clearTimeout(timer);
    call.shutdown?.removeEventListener('abort', onShutdown);
  }
}
