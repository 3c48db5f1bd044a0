import { describe, expect, test } from 'vitest';
import type { BuildPayload } from '../events/events.js';
import { fixture } from '../testing/fixtures.js';
import { propsRejection } from './props.js';

// warn.finished: builder "warn" with tags harness, quick, warnings; scheduler "force"; branch "".
const build = fixture('warn.finished') as unknown as BuildPayload;

// common.md §8, one test per filter row, in Buildbot's order.
describe('builders / schedulers / branches / tags (common.md §8)', () => {
  test('builders: the builder name must be listed', () => {
    expect(propsRejection(build, { builders: ['warn', 'other'] })).toBeUndefined();
    expect(propsRejection(build, { builders: ['pass'] })).toBe('builder "warn" is not in builders');
  });
  test('schedulers: the scheduler property must be listed', () => {
    expect(propsRejection(build, { schedulers: ['force'] })).toBeUndefined();
    expect(propsRejection(build, { schedulers: ['nightly'] })).toBe('scheduler property "force" is not in schedulers');
  });
  test('branches: the branch property (not the sourcestamp) must be listed', () => {
    expect(propsRejection(build, { branches: [''] })).toBeUndefined();
    expect(propsRejection(build, { branches: ['main'] })).toBe('branch property "" is not in branches');
  });
  test("tags: one configured tag must be among the builder's tags", () => {
    expect(propsRejection(build, { tags: ['nightly', 'quick'] })).toBeUndefined();
    expect(propsRejection(build, { tags: ['nightly'] })).toMatch(/has none of the tags nightly/);
  });
  test('an empty tags list matches nothing', () => {
    expect(propsRejection(build, { tags: [] })).toBeDefined();
  });
  test('without properties a schedulers or branches filter rejects every build', () => {
    const bare = { ...build, properties: {} };
    expect(propsRejection(bare, { schedulers: ['force'] })).toBe('scheduler property null is not in schedulers');
    expect(propsRejection(bare, { branches: [''] })).toBe('branch property null is not in branches');
  });
  test('no filters: every build passes', () => {
    expect(propsRejection(build, {})).toBeUndefined();
  });
});
