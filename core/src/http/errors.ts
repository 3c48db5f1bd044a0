/**
 * Errors of HTTP calls, classified for the delivery queue: `retryable` says whether another try
 * can help, `retryAfterMs` how long the server asked us to wait. Messages never carry credentials.
 */
import { ERROR_BRAND, hasErrorBrand } from '../diagnostics/brand.js';
import { waitFromHeaders } from './retry-after.js';

export const BODY_EXCERPT_CHARS = 300;

/** A response whose status is not a success. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  readonly [ERROR_BRAND] = 'HttpError';
  readonly retryable: boolean;
  readonly retryAfterMs?: number;

  constructor(
    readonly method: string,
    /** Redacted. */
    readonly url: string,
    readonly status: number,
    readonly statusText: string,
    /** Redacted, at most BODY_EXCERPT_CHARS characters. */
    readonly bodyExcerpt: string,
    headers: Record<string, string>,
    now = Date.now(),
  ) {
    super(
      `${method} ${url} answered ${status}${statusText ? ` ${statusText}` : ''}${bodyExcerpt ? `: ${bodyExcerpt}` : ''}`,
    );
    const wait = waitFromHeaders(headers, now);
    this.retryable = isRetryableStatus(status, headers);
    if (this.retryable && wait !== undefined) this.retryAfterMs = wait;
  }
}

/** The request never got an answer: refused, reset, DNS, TLS, timed out. Retryable unless the caller aborted. */
export class HttpTransportError extends Error {
  override readonly name = 'HttpTransportError';
  readonly [ERROR_BRAND] = 'HttpTransportError';
  constructor(
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A request description that cannot be sent (bad URL, header, method): retrying cannot fix it. */
export class InvalidHttpRequestError extends Error {
  override readonly name = 'InvalidHttpRequestError';
  readonly [ERROR_BRAND] = 'InvalidHttpRequestError';
  readonly retryable = false;
}

/** True for an HttpError from any copy of core (a plugin's nested core included). */
export function isHttpError(error: unknown): error is HttpError {
  return hasErrorBrand(error, 'HttpError');
}

/** True for an HttpTransportError from any copy of core. */
export function isHttpTransportError(error: unknown): error is HttpTransportError {
  return hasErrorBrand(error, 'HttpTransportError');
}

/** True for an InvalidHttpRequestError from any copy of core. */
export function isInvalidHttpRequestError(error: unknown): error is InvalidHttpRequestError {
  return hasErrorBrand(error, 'InvalidHttpRequestError');
}

/**
 * 408, 429 and 5xx are worth retrying; other 4xx are not, except a 403 that is a rate limit
 * (GitHub answers 403 with `X-RateLimit-Remaining: 0` or `Retry-After`).
 */
export function isRetryableStatus(status: number, headers: Record<string, string> = {}): boolean {
  if (status === 408 || status === 429 || status >= 500) return true;
  if (status === 403)
    return (
      headers['retry-after'] !== undefined ||
      headers['x-ratelimit-remaining'] === '0' ||
      headers['ratelimit-remaining'] === '0'
    );
  return false;
}

/** One line of a body for an error message: whitespace collapsed, cut to `max` characters. */
export function excerpt(body: string, max = BODY_EXCERPT_CHARS): string {
  const flat = body.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}
