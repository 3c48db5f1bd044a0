import type { BuildPayload } from '@bbreporters/core';
import { describe, expect, it } from 'vitest';
import { gerritChangesOf } from './changes.js';

const build = (properties: Record<string, unknown>) =>
  ({
    properties: Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, [v, 'test']])),
  }) as unknown as BuildPayload;

describe('gerritChangesOf (Buildbot getGerritChanges)', () => {
  it('the Gerrit event: change number and patch set number', () => {
    expect(gerritChangesOf(build({ 'event.change.number': 4321, 'event.patchSet.number': '12' }))).toEqual({
      changes: [{ change_id: '4321', revision_id: '12' }],
    });
  });

  it('gerrit_changes wins and is used as given', () => {
    const listed = [
      { change_id: 'p~master~Iabc', revision_id: 'd34db33f' },
      { change_id: 7, revision_id: 2 },
    ];
    expect(gerritChangesOf(build({ gerrit_changes: listed, 'event.change.number': 1 }))).toEqual({
      changes: [
        { change_id: 'p~master~Iabc', revision_id: 'd34db33f' },
        { change_id: '7', revision_id: '2' },
      ],
    });
  });

  it.each([
    [{}, /not a Gerrit change/],
    [{ 'event.change.number': 4321 }, /event\.patchSet\.number is missing/],
    [{ 'event.change.number': { x: 1 }, 'event.patchSet.number': 1 }, /not a change number/],
    [{ gerrit_changes: 'x' }, /must be a list/],
    [{ gerrit_changes: [] }, /empty list/],
    [{ gerrit_changes: [{ change_id: 1 }] }, /gerrit_changes\[0\] has no change_id and revision_id/],
  ])('%o gets no verification: %s', (properties, reason) => {
    const found = gerritChangesOf(build(properties));
    expect(found.changes).toEqual([]);
    expect('reason' in found && found.reason).toMatch(reason);
  });
});
