/**
 * How long a server asked us to wait: `Retry-After` (seconds or an HTTP date), else a rate-limit
 * reset when the budget is spent (`X-RateLimit-Reset` epoch seconds with `X-RateLimit-Remaining: 0`,
 * GitHub/Gitea; `RateLimit-Reset`, GitLab's epoch seconds or the IETF draft's delta seconds).
 */

/** Values above this are epoch seconds, below it delta seconds (no sane delay is 30 years). */
const EPOCH_THRESHOLD_S = 1e9;

/** Milliseconds to wait from `now`, or undefined when the headers (lower-case names) ask nothing. */
export function waitFromHeaders(headers: Record<string, string>, now = Date.now()): number | undefined {
  const retryAfter = parseRetryAfter(headers['retry-after'], now);
  if (retryAfter !== undefined) return retryAfter;
  if (headers['x-ratelimit-remaining']?.trim() === '0') {
    const reset = seconds(headers['x-ratelimit-reset']);
    if (reset !== undefined) return Math.max(0, reset * 1000 - now);
  }
  const remaining = headers['ratelimit-remaining']?.trim();
  if (remaining === undefined || remaining === '0') {
    const reset = seconds(headers['ratelimit-reset']);
    if (reset !== undefined) return Math.max(0, reset >= EPOCH_THRESHOLD_S ? reset * 1000 - now : reset * 1000);
  }
  return undefined;
}

/** `Retry-After: 120` or `Retry-After: Wed, 21 Oct 2015 07:28:00 GMT` → milliseconds from `now`. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  const delta = seconds(trimmed);
  if (delta !== undefined) return delta * 1000;
  if (!/[a-z]/i.test(trimmed)) return undefined;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function seconds(value: string | undefined): number | undefined {
  if (value === undefined || !/^\s*\d+(\.\d+)?\s*$/.test(value)) return undefined;
  return Number(value);
}
