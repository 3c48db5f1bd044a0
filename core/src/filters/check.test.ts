import { describe, expect, test } from 'vitest';
import { filterProblems } from './check.js';

describe("filterProblems: Buildbot's config checks of the filters, located", () => {
  test('builders and tags together', () => {
    expect(filterProblems({ builders: ['a'], tags: ['b'] }, 'reporters[1].options')).toEqual([
      { path: 'reporters[1].options.tags', message: 'Please specify only builders or tags to include - not both.' },
    ]);
  });
  test('each mode problem, at the mode key', () => {
    expect(filterProblems({ mode: ['failing', 'all'] }, 'reporters[0].options')).toEqual([
      {
        path: 'reporters[0].options.mode',
        message: "mode 'all' is not valid in an iterator and must be passed in as a separate string",
      },
    ]);
    expect(filterProblems({ mode: 'sometimes' }, 'r')).toEqual([
      { path: 'r.mode', message: 'mode sometimes is not a valid mode' },
    ]);
  });
  test('valid filters, and none at all, have no problem', () => {
    expect(filterProblems({ mode: 'warnings', tags: ['x'], schedulers: ['s'], branches: ['main'] }, 'r')).toEqual([]);
    expect(filterProblems({}, 'r')).toEqual([]);
  });
});
