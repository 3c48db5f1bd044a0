/**
 * One attempt of a delivery, as every queue makes it (this process's lanes, or Redis jobs): the
 * sender called once, bounded by the attempt timeout and by shutdown even if it ignores its
 * signal; a failure worded for logs and outcomes with every secret masked.
 */
import { reasonOf } from '../diagnostics/errors.js';
import { maskSecrets } from '../diagnostics/mask.js';
import type { QueuedDelivery } from '../plugin-api.js';
import type { Sender } from './deliveries.js';

export class SendTimeoutError extends Error {
  override readonly name = 'SendTimeoutError';
}

/** Calls `sender` once; `inFlight` holds a stop function while it runs (called at shutdown). */
export async function attemptSend(
  sender: Sender,
  delivery: QueuedDelivery,
  timeoutMs: number,
  inFlight: Set<() => void>,
): Promise<unknown> {
  // One controller and a plain timer: cheaper per delivery than AbortSignal.timeout + AbortSignal.any.
  const controller = new AbortController();
  let rejectAborted!: (error: Error) => void;
  const aborted = new Promise<never>((_, reject) => (rejectAborted = reject));
  const stop = (error: Error) => {
    controller.abort(error);
    rejectAborted(error);
  };
  const timer = setTimeout(() => stop(new SendTimeoutError(`send did not finish within ${timeoutMs} ms`)), timeoutMs);
  const onShutdown = () => stop(new Error('aborted: core is shutting down'));
  inFlight.add(onShutdown);
  try {
    return await Promise.race([Promise.resolve().then(() => sender(delivery, { signal: controller.signal })), aborted]);
  } finally {
    clearTimeout(timer);
    inFlight.delete(onShutdown);
  }
}

/** A failed attempt's reason: known secrets and the delivery's own credentials masked. */
export function failureReason(
  error: unknown,
  delivery: QueuedDelivery,
  sender: Sender,
  secrets: ReadonlySet<string> | undefined,
): string {
  const all = [...(secrets ?? []), ...(sender.secrets?.(delivery) ?? [])];
  return maskSecrets(
    reasonOf(error),
    all.sort((a, b) => b.length - a.length),
  );
}

/** Why a failed attempt is a delivery's last (the remote said another cannot help, or the retries are used up), or undefined when it is retried. */
export function finalFailure(failure: unknown, attempts: number, retries: number, reason: string): string | undefined {
  if ((failure as { retryable?: unknown } | undefined)?.retryable === false) return reason;
  if (attempts > retries) return `gave up after ${plural(attempts, 'attempt')}: ${reason}`;
  return undefined;
}

export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
