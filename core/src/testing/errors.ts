/** Error checks for tests, without a test framework (plain Node, any runner). */
import { isBbrError, type BbrError } from '../diagnostics/errors.js';

/** The BbrError `fn` throws or rejects with; throws (failing the test) when it throws something else or nothing. */
export async function bbrErrorFrom(fn: () => unknown): Promise<BbrError> {
  let thrown: unknown;
  try {
    await fn();
  } catch (error) {
    thrown = error;
  }
  if (isBbrError(thrown)) return thrown;
  throw new Error(
    thrown === undefined ? 'expected a BbrError, nothing was thrown' : `expected a BbrError, got ${String(thrown)}`,
  );
}
