import { describe, expect, it } from 'vitest';
import { isBbrError } from '../diagnostics/errors.js';
import { fixture } from '../testing/fixtures.js';
import { normaliseEvent } from './envelope.js';
import { depthProblem, MAX_EVENT_DEPTH } from './limits.js';

/** `{ a: { a: … } }` nested `levels` deep, the innermost holding `leaf`. */
function nested(levels: number, leaf: unknown = 1): unknown {
  let value = leaf;
  for (let i = 0; i < levels; i++) value = i % 2 ? { a: value } : [value];
  return value;
}

describe('event depth limit', () => {
  it('accepts every captured Buildbot body, and nesting up to the limit', () => {
    for (const name of ['pass.finished', 'fail.finished', 'buildset-finished', 'worker-missing'] as const)
      expect(depthProblem(fixture(name))).toBeUndefined();
    expect(depthProblem({ x: nested(MAX_EVENT_DEPTH - 1) })).toBeUndefined();
  });

  it('names the path where nesting passes the limit, even 100,000 levels deep (the walk stops at the limit)', () => {
    expect(depthProblem({ x: nested(MAX_EVENT_DEPTH) })?.path).toMatch(/^x(\.a|\[0\])+$/);
    const problem = depthProblem({ properties: { deep: [nested(100_000), 'x'] } });
    expect(problem?.message).toBe(`nests deeper than ${MAX_EVENT_DEPTH} levels of objects and arrays`);
    expect(problem?.path).toMatch(/^properties\.deep\[0\][.a[\]0]+$/);
    expect(problem!.path.length).toBeLessThanOrEqual(201);
  });

  it('refuses such an event at ingest with BBR_EVENT_INVALID and the path, before schema validation', () => {
    const body = fixture('fail.finished');
    body.properties = { ...(body.properties as object), deep: [nested(5000), 'Build'] };
    let error: unknown;
    try {
      normaliseEvent(body);
    } catch (caught) {
      error = caught;
    }
    expect(isBbrError(error)).toBe(true);
    expect((error as { code: string; details: Array<{ path: string }> }).code).toBe('BBR_EVENT_INVALID');
    expect((error as { details: Array<{ path: string }> }).details[0].path).toMatch(
      /^properties\.deep\[0\](\.a|\[0\])+/,
    );
  });
});
