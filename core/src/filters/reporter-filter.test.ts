import { describe, expect, test } from 'vitest';
import { normaliseEvent } from '../events/envelope.js';
import type { BbEvent, BuildsetFinishedEvent } from '../events/events.js';
import { fixture, fixtures } from '../testing/fixtures.js';
import { createReporterFilter } from './reporter-filter.js';

const all = ['mode', 'builders', 'tags', 'schedulers', 'branches'];
const event = (input: Record<string, unknown>): BbEvent => normaliseEvent(input);

describe('when a reporter is called', () => {
  test('a reporter that accepts mode and sets none gets failing, passing, warnings', () => {
    const filter = createReporterFilter({}, all);
    expect(filter.modes).toEqual(['failing', 'passing', 'warnings']);
    expect(filter.skipReason(event(fixtures.cancel.finished()))).toBe(
      'mode failing,passing,warnings does not report a cancelled build',
    );
    expect(filter.skipReason(event(fixtures.fail.finished()))).toBeUndefined();
  });
  test('a reporter whose manifest does not list mode is never mode-filtered', () => {
    const filter = createReporterFilter({}, ['builders']);
    expect(filter.modes).toBeUndefined();
    expect(filter.skipReason(event(fixtures.cancel.finished()))).toBeUndefined();
  });
  test('mode does not apply to started builds; builders does', () => {
    const filter = createReporterFilter({ mode: ['failing'], builders: ['fail'] }, all);
    expect(filter.skipReason(event(fixtures.pass.started()))).toBe('builder "pass" is not in builders');
    expect(filter.skipReason(event(fixtures.fail.started()))).toBeUndefined();
  });
  test('missing workers are never filtered', () => {
    const filter = createReporterFilter({ mode: ['failing'], builders: ['none'] }, all);
    expect(filter.skipReason(event(fixtures.workerMissing()))).toBeUndefined();
  });
  test('change mode compares with prev_build and says why it skipped', () => {
    const filter = createReporterFilter({ mode: 'change' }, all);
    const cancel = fixtures.cancel.finished(); // CANCELLED after a SUCCESS
    expect(filter.skipReason(event(cancel))).toBeUndefined();
    const same = { ...cancel, prev_build: { ...(cancel.prev_build as object), results: 6 } };
    expect(filter.skipReason(event(same))).toBe('mode change does not report a cancelled build, previous cancelled');
  });
  test('a buildset is reported when one of its builds passes the filters', () => {
    const buildset = event(fixtures.buildset()) as BuildsetFinishedEvent; // pass, fail, warn
    expect(createReporterFilter({ mode: ['failing'] }, all).skipReason(buildset)).toBeUndefined();
    expect(createReporterFilter({ mode: ['exception'] }, all).skipReason(buildset)).toMatch(
      /^no build of buildset 8 passes the filters \(mode exception does not report a success build; /,
    );
    expect(createReporterFilter({ builders: ['warn'], mode: 'all' }, all).skipReason(buildset)).toBeUndefined();
  });
  test('filters come before mode: a failing build of another builder is skipped for its builder', () => {
    const filter = createReporterFilter({ mode: ['failing'], tags: ['nightly'] }, all);
    expect(filter.skipReason(event(fixture('fail.finished')))).toMatch(/has none of the tags nightly/);
  });
});
