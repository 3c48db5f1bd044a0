import { describe, expect, test } from 'vitest';
import type { Buildset } from '../events/events.js';
import { Results } from '../events/results.js';
import { detectedStatus, projectsText, sourcestampsText, summaryText } from './status.js';

const { SUCCESS, WARNINGS, FAILURE, SKIPPED, EXCEPTION, RETRY, CANCELLED } = Results;

// common.md §7.3, one test per row (newest Buildbot's column).
describe('status_detected (common.md §7.3)', () => {
  test('FAILURE: "new failure" after a non-failure with change or problem, else "failed build"', () => {
    expect(detectedStatus(['change'], FAILURE, SUCCESS)).toBe('new failure');
    expect(detectedStatus(['problem'], FAILURE, SUCCESS)).toBe('new failure'); // Buildbot ≤1.8 said "failed build" here (bug fixed upstream)
    expect(detectedStatus(['change'], FAILURE, FAILURE)).toBe('failed build');
    expect(detectedStatus(['failing'], FAILURE, SUCCESS)).toBe('failed build');
    expect(detectedStatus(['change'], FAILURE, undefined)).toBe('failed build');
  });
  test('WARNINGS: "problem in the build"', () => {
    expect(detectedStatus(['change'], WARNINGS, SUCCESS)).toBe('problem in the build');
  });
  test('SUCCESS: "restored build" after a non-success with change, else "passing build"', () => {
    expect(detectedStatus(['change'], SUCCESS, FAILURE)).toBe('restored build');
    expect(detectedStatus(['problem'], SUCCESS, FAILURE)).toBe('passing build');
    expect(detectedStatus(['change'], SUCCESS, SUCCESS)).toBe('passing build');
    expect(detectedStatus(['change'], SUCCESS, undefined)).toBe('passing build');
  });
  test('EXCEPTION: "build exception"', () => {
    expect(detectedStatus(['failing'], EXCEPTION, SUCCESS)).toBe('build exception');
  });
  test('other results: "<result> build"', () => {
    expect([SKIPPED, RETRY, CANCELLED].map((r) => detectedStatus(['failing'], r, undefined))).toEqual([
      'skipped build',
      'retry build',
      'cancelled build',
    ]);
  });
});

// mail.md §4.4, one test per row.
describe('summary (mail.md §4.4)', () => {
  test('SUCCESS: "Build succeeded!"', () => expect(summaryText(SUCCESS, 'build successful')).toBe('Build succeeded!'));
  test('WARNINGS: "Build Had Warnings" + state', () => {
    expect(summaryText(WARNINGS, 'warnings compile')).toBe('Build Had Warnings: warnings compile');
    expect(summaryText(WARNINGS, '')).toBe('Build Had Warnings');
  });
  test('CANCELLED: "Build was cancelled"', () =>
    expect(summaryText(CANCELLED, 'cancelled')).toBe('Build was cancelled'));
  test('anything else: "BUILD FAILED" + state', () => {
    expect([FAILURE, EXCEPTION, SKIPPED, RETRY].map((r) => summaryText(r, 'failed compile'))).toEqual(
      Array(4).fill('BUILD FAILED: failed compile'),
    );
  });
});

describe('projects and sourcestamps (mail.md §4.5)', () => {
  const ss = (over: object) => ({
    ssid: 1,
    revision: null,
    branch: null,
    repository: '',
    project: '',
    codebase: '',
    patch: null,
    ...over,
  });
  const buildset = (...sourcestamps: object[]) =>
    ({ bsid: 1, reason: '', complete: true, results: 0, sourcestamps }) as unknown as Buildset;
  test('projects: the non-empty projects, else the title', () => {
    expect(
      projectsText(
        buildset(ss({ project: 'a' }), ss({ project: '' }), ss({ project: 'b' }), ss({ project: 'a' })),
        'T',
      ),
    ).toBe('a, b');
    expect(projectsText(buildset(ss({})), 'T')).toBe('T');
  });
  test("sourcestamps: Buildbot's lines", () => {
    expect(sourcestampsText(buildset(ss({ codebase: 'a' })))).toBe("Build Source Stamp 'a': HEAD\n");
    expect(
      sourcestampsText(buildset(ss({ codebase: 'a', branch: 'br', revision: 'abc', patch: { patchid: 1 } }))),
    ).toBe("Build Source Stamp 'a': [branch br] abc (plus patch)\n");
  });
});
