/**
 * Limits on what an event may hold, checked at ingest before anything walks it recursively
 * (schema validation, the formatter, JSON for deliveries and the ledger): a body nested thousands
 * of levels deep would otherwise be accepted and then fail every delivery with a stack overflow.
 */
import type { ErrorDetail } from '../diagnostics/errors.js';

/** Deeper than any Buildbot payload (a property holding JSON included) needs. */
export const MAX_EVENT_DEPTH = 64;

/** The first place `input` nests deeper than `maxDepth` objects or arrays, or undefined. Walks without recursion. */
export function depthProblem(input: unknown, maxDepth = MAX_EVENT_DEPTH): ErrorDetail | undefined {
  const stack: Array<{ value: unknown; depth: number; path: string }> = [{ value: input, depth: 0, path: '' }];
  while (stack.length) {
    const { value, depth, path } = stack.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= maxDepth)
      return { path: shortened(path), message: `nests deeper than ${maxDepth} levels of objects and arrays` };
    const entries = Array.isArray(value)
      ? value.map((v, i) => [`[${i}]`, v] as const)
      : Object.entries(value).map(([k, v]) => [path === '' ? k : `.${k}`, v] as const);
    for (const [key, child] of entries) stack.push({ value: child, depth: depth + 1, path: `${path}${key}` });
  }
  return undefined;
}

/** A path of thousands of segments, cut to what helps find it. */
function shortened(path: string): string {
  return path.length > 200 ? `${path.slice(0, 200)}…` : path;
}
