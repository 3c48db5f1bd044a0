import { describe, expect, test } from 'vitest';
import { Results } from '../events/results.js';
import { defaultMode, expandMode, isMessageNeeded, modeProblems, possibleModes, wantsPreviousBuild } from './mode.js';

const { SUCCESS, WARNINGS, FAILURE, SKIPPED, EXCEPTION, RETRY, CANCELLED } = Results;
const prev = (results: number | null) => ({ results });

// common.md §7.1, one test per row of the shortcut table.
describe('mode shortcuts (common.md §7.1)', () => {
  test('"all" expands to failing, passing, warnings, exception, cancelled (no change, no problem)', () => {
    expect(expandMode('all')).toEqual(['failing', 'passing', 'warnings', 'exception', 'cancelled']);
  });
  test('the string "warnings" expands to failing + warnings', () => {
    expect(expandMode('warnings')).toEqual(['failing', 'warnings']);
  });
  test('any other string is a one-mode list', () => {
    expect(expandMode('problem')).toEqual(['problem']);
  });
  test('a list is used as is: ["warnings"] means warnings only', () => {
    expect(expandMode(['warnings'])).toEqual(['warnings']);
    expect(isMessageNeeded(FAILURE, undefined, expandMode(['warnings']))).toBe(false);
    expect(isMessageNeeded(FAILURE, undefined, expandMode('warnings'))).toBe(true);
  });
  test("no mode means Buildbot's default failing, passing, warnings", () => {
    expect(expandMode(undefined)).toEqual(['failing', 'passing', 'warnings']);
    expect(defaultMode).toEqual(['failing', 'passing', 'warnings']);
  });
});

describe("mode config errors, in Buildbot's words", () => {
  test('an unknown mode: "mode <m> is not a valid mode"', () => {
    expect(modeProblems('sometimes')).toEqual([
      { message: 'mode sometimes is not a valid mode', allowed: ['all', ...possibleModes] },
    ]);
    expect(modeProblems(['failing', 'often'])).toEqual([
      { message: 'mode often is not a valid mode', index: 1, allowed: possibleModes },
    ]);
  });
  test('"all" inside a list is refused', () => {
    expect(modeProblems(['all'])).toEqual([
      { message: "mode 'all' is not valid in an iterator and must be passed in as a separate string", index: 0 },
    ]);
  });
  test('valid settings have no problems', () => {
    expect([
      modeProblems('all'),
      modeProblems('change'),
      modeProblems(['change', 'problem']),
      modeProblems(undefined),
    ]).toEqual([[], [], [], []]);
  });
});

// common.md §7.2, one test per row of the decision table.
describe('which builds a mode reports (common.md §7.2)', () => {
  test("change: a result different from the previous build's", () => {
    expect(isMessageNeeded(FAILURE, prev(SUCCESS), ['change'])).toBe(true);
    expect(isMessageNeeded(SUCCESS, prev(SUCCESS), ['change'])).toBe(false);
  });
  test('failing: a FAILURE', () => {
    expect(isMessageNeeded(FAILURE, undefined, ['failing'])).toBe(true);
    expect(isMessageNeeded(WARNINGS, undefined, ['failing'])).toBe(false);
  });
  test('passing: a SUCCESS', () => {
    expect(isMessageNeeded(SUCCESS, undefined, ['passing'])).toBe(true);
    expect(isMessageNeeded(WARNINGS, undefined, ['passing'])).toBe(false);
  });
  test('problem: a FAILURE after a build that did not fail', () => {
    expect(isMessageNeeded(FAILURE, prev(SUCCESS), ['problem'])).toBe(true);
    expect(isMessageNeeded(FAILURE, prev(FAILURE), ['problem'])).toBe(false);
  });
  test('warnings: a WARNINGS result', () => {
    expect(isMessageNeeded(WARNINGS, undefined, ['warnings'])).toBe(true);
    expect(isMessageNeeded(SUCCESS, undefined, ['warnings'])).toBe(false);
  });
  test('exception: an EXCEPTION', () => {
    expect(isMessageNeeded(EXCEPTION, undefined, ['exception'])).toBe(true);
    expect(isMessageNeeded(FAILURE, undefined, ['exception'])).toBe(false);
  });
  test('cancelled: a CANCELLED build', () => {
    expect(isMessageNeeded(CANCELLED, undefined, ['cancelled'])).toBe(true);
    expect(isMessageNeeded(EXCEPTION, undefined, ['cancelled'])).toBe(false);
  });
  test('otherwise no message', () => {
    expect(
      isMessageNeeded(SKIPPED, prev(SKIPPED), [
        'change',
        'failing',
        'passing',
        'problem',
        'warnings',
        'exception',
        'cancelled',
      ]),
    ).toBe(false);
  });
});

describe('mode edge cases (common.md §7.2)', () => {
  test('change ignores the first build of a builder, failing or passing', () => {
    expect(isMessageNeeded(FAILURE, undefined, ['change'])).toBe(false);
    expect(isMessageNeeded(SUCCESS, null, ['change'])).toBe(false);
  });
  test('problem never fires without a previous build', () => {
    expect(isMessageNeeded(FAILURE, undefined, ['problem'])).toBe(false);
  });
  test('change fires for any difference, a still-running previous build included', () => {
    for (const [now, before] of [
      [WARNINGS, SUCCESS],
      [EXCEPTION, FAILURE],
      [RETRY, SUCCESS],
      [SKIPPED, SUCCESS],
      [SUCCESS, null],
    ] as const) {
      expect(isMessageNeeded(now, prev(before), ['change'])).toBe(true);
    }
  });
  test('problem fires after EXCEPTION or WARNINGS, never for a non-FAILURE result', () => {
    expect(isMessageNeeded(FAILURE, prev(EXCEPTION), ['problem'])).toBe(true);
    expect(isMessageNeeded(FAILURE, prev(WARNINGS), ['problem'])).toBe(true);
    expect(isMessageNeeded(EXCEPTION, prev(SUCCESS), ['problem'])).toBe(false);
  });
  test('RETRY and SKIPPED are not reported even with "all"', () => {
    expect(isMessageNeeded(RETRY, prev(SUCCESS), expandMode('all'))).toBe(false);
    expect(isMessageNeeded(SKIPPED, prev(SUCCESS), expandMode('all'))).toBe(false);
  });
  test('a build without results (a started build) matches no results rule', () => {
    expect(isMessageNeeded(null, undefined, expandMode('all'))).toBe(false);
  });
  test('only change and problem need the previous build', () => {
    expect([
      wantsPreviousBuild(['change']),
      wantsPreviousBuild(['problem']),
      wantsPreviousBuild(expandMode('all')),
    ]).toEqual([true, true, false]);
  });
});
