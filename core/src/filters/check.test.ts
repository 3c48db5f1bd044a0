import { describe, expect, test } from 'vitest';
import { filterProblems } from './check.js';

describe("filterProblems: Buildbot's config checks of the filters, located", () => {
  test('builders and tags together', () => {
    expect(filterProblems({ builders: ['a'], tags: ['b'] }, 'reporters[1].options')).toEqual([
      { path: 'reporters[1].options.tags', message: 'Please specify only builders or tags to include - not both.' },
    ]);
  });
  test('each mode problem, at the mode key or its list item, with the names a misspelling could mean', () => {
    expect(filterProblems({ mode: ['failing', 'all'] }, 'reporters[0].options')).toEqual([
      {
        path: 'reporters[0].options.mode[1]',
        message: "mode 'all' is not valid in an iterator and must be passed in as a separate string",
      },
    ]);
    expect(filterProblems({ mode: 'sometimes' }, 'r')).toEqual([
      {
        path: 'r.mode',
        message: 'mode sometimes is not a valid mode',
        keyword: 'enum',
        params: {
          allowedValues: ['all', 'change', 'failing', 'passing', 'problem', 'warnings', 'exception', 'cancelled'],
        },
      },
    ]);
    expect(filterProblems({ mode: ['failing', 'faling'] }, 'r')).toMatchObject([
      { path: 'r.mode[1]', keyword: 'enum', params: { allowedValues: expect.arrayContaining(['failing']) } },
    ]);
  });
  test('valid filters, and none at all, have no problem', () => {
    expect(filterProblems({ mode: 'warnings', tags: ['x'], schedulers: ['s'], branches: ['main'] }, 'r')).toEqual([]);
    expect(filterProblems({}, 'r')).toEqual([]);
  });
});
