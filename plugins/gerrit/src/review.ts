/**
 * What the callbacks return and what is posted: a message and label scores. Callbacks are user
 * code, so their results are checked here: labels Gerrit cannot take are dropped with a warning
 * (the message still goes out), Buildbot's legacy 3-tuple is converted as Buildbot did.
 */
import type { Logger } from '@bbreporters/core';

export const GERRIT_LABEL_VERIFIED = 'Verified';
export const GERRIT_LABEL_REVIEWED = 'Code-Review';

/** A callback's answer: no message → nothing is sent; no labels → only the message is posted. */
export interface ReviewResult {
  message?: string | null;
  labels?: Record<string, number>;
}

/** A checked review, ready for a transport. */
export interface CheckedReview {
  /** null: nothing is sent. '' : labels only. */
  message: string | null;
  labels: Array<[name: string, score: number]>;
}

/** Gerrit label names: letters, digits and dashes (Verified, Code-Review, My-Label). */
export const labelName = /^[A-Za-z0-9][A-Za-z0-9-]*$/;

/** Buildbot's makeReviewResult(message, (label, value), …). */
export function makeReviewResult(message: string | null, ...labels: Array<[string, number]>): ReviewResult {
  return { message, labels: Object.fromEntries(labels) };
}

const LEGACY_WARNING =
  'The Gerrit status callback uses the old way to communicate results.  The outcome might be not what is expected.';

/** Buildbot's int(): booleans and integer strings become numbers; anything else is refused. */
function score(value: unknown): number | undefined {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number' && Number.isFinite(value)) return Math.trunc(value);
  if (typeof value === 'string' && /^\s*[+-]?\d+\s*$/.test(value)) return Number.parseInt(value, 10);
  return undefined;
}

/** Checks what a callback returned (`what` names it in warnings). */
export function checkResult(value: unknown, what: string, logger: Logger): CheckedReview {
  if (value === null || value === undefined) return { message: null, labels: [] };
  let result: { message?: unknown; labels?: unknown };
  if (Array.isArray(value)) {
    logger.warn({ callback: what }, LEGACY_WARNING);
    const [message, verified, reviewed] = value as unknown[];
    result = { message, labels: { [GERRIT_LABEL_VERIFIED]: verified, [GERRIT_LABEL_REVIEWED]: reviewed } };
  } else if (typeof value === 'object') {
    result = value as typeof result;
  } else {
    throw new TypeError(`${what} must return {message, labels}, got ${typeof value}`);
  }
  if (result.message !== undefined && result.message !== null && typeof result.message !== 'string') {
    throw new TypeError(`${what} returned a message that is not a string (${typeof result.message})`);
  }
  const labels: Array<[string, number]> = [];
  if (result.labels !== undefined && result.labels !== null) {
    if (typeof result.labels !== 'object' || Array.isArray(result.labels))
      throw new TypeError(`${what} returned labels that are not an object {name: score}`);
    for (const [name, raw] of Object.entries(result.labels)) {
      const value = score(raw);
      if (!labelName.test(name))
        logger.warn(
          { callback: what, label: name },
          `label name ${JSON.stringify(name)} is not a Gerrit label name; it is left out`,
        );
      else if (value === undefined)
        logger.warn(
          { callback: what, label: name },
          `label ${name} has no integer score (${JSON.stringify(raw)}); it is left out`,
        );
      else labels.push([name, value]);
    }
  }
  // Gerrit reads a NUL as the end of the string; nothing legitimate carries one.
  const message = typeof result.message === 'string' ? result.message.replace(/\0/g, '') : null;
  return { message, labels };
}
