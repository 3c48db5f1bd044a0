/**
 * Limits on what an event may hold, checked at ingest before anything walks it recursively
 * (schema validation, the formatter, JSON for deliveries and the ledger): a body nested thousands
 * of levels deep would otherwise be accepted and then fail every delivery with a stack overflow.
 */
import type { ErrorDetail } from '../diagnostics/errors.js';

/** Deeper than any Buildbot payload (a property holding JSON included) needs. */
export const MAX_EVENT_DEPTH = 64;

/**
 * The first place `input` nests deeper than `maxDepth` objects or arrays, or undefined. The walk
 * recurses at most `maxDepth` levels (never deeper, however deep the input), and builds a path
 * only for the place it reports: it runs on every event.
 */
export function depthProblem(input: unknown, maxDepth = MAX_EVENT_DEPTH): ErrorDetail | undefined {
  const keys = tooDeepAt(input, maxDepth);
  if (!keys) return undefined;
  const path = keys.reverse().join('');
  return {
    path: shortened(path.startsWith('.') ? path.slice(1) : path),
    message: `nests deeper than ${maxDepth} levels of objects and arrays`,
  };
}

/** The path segments (innermost first) to where `value` nests more than `levelsLeft` levels, or undefined. */
function tooDeepAt(value: unknown, levelsLeft: number): string[] | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  if (levelsLeft === 0) return [];
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const keys = tooDeepAt(value[i], levelsLeft - 1);
      if (keys) {
        keys.push(`[${i}]`);
        return keys;
      }
    }
    return undefined;
  }
  for (const key of Object.keys(value)) {
    const keys = tooDeepAt((value as Record<string, unknown>)[key], levelsLeft - 1);
    if (keys) {
      keys.push(`.${key}`);
      return keys;
    }
  }
  return undefined;
}

/** A path of thousands of segments, cut to what helps find it. */
function shortened(path: string): string {
  return path.length > 200 ? `${path.slice(0, 200)}…` : path;
}
