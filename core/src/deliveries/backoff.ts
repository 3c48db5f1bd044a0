/**
 * How long to wait before the next try: what the server asked for (Retry-After, rate-limit reset)
 * plus a little jitter, otherwise exponential backoff with jitter so many reporters retrying at
 * once spread out.
 */
export interface BackoffSettings {
  /** First backoff; doubles each attempt. */
  baseDelayMs: number;
  /** Largest backoff when the server asked for nothing. */
  maxDelayMs: number;
  /** Largest server-requested wait honoured (longer requests wait this long). */
  maxWaitMs: number;
}

/** Added to a server-requested wait: timers may fire a millisecond early, and a request must not. */
export const WAIT_MARGIN_MS = 10;

/** `attempt` is the attempt that just failed (1 for the first). Always more than `retryAfterMs`. */
export function retryDelay(
  attempt: number,
  settings: BackoffSettings,
  retryAfterMs?: number,
  random: () => number = Math.random,
): number {
  if (retryAfterMs !== undefined && Number.isFinite(retryAfterMs) && retryAfterMs >= 0) {
    const wait = Math.min(retryAfterMs, settings.maxWaitMs);
    return Math.round(wait + WAIT_MARGIN_MS + random() * Math.min(250, wait * 0.1));
  }
  const ceiling = Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** (attempt - 1));
  // "Equal jitter": at least half the ceiling, so backoff still grows.
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
