import type { BuildPayload } from '@bbreporters/core';
import { describe, expect, it } from 'vitest';
import { changesOf, targetOf } from './change.js';

const build = (props: Record<string, unknown>) =>
  ({
    properties: Object.fromEntries(Object.entries(props).map(([k, v]) => [k, [v, 'test']])),
  }) as unknown as BuildPayload;

const gerritProps = {
  'event.change.id': 'I0123456789abcdef0123456789abcdef01234567',
  'event.change.project': 'testProject',
  'event.change.number': '4321',
  'event.change.branch': 'master',
  'event.patchSet.number': '12',
  'event.patchSet.revision': 'd34db33fd43db33f',
};

describe('which change a build reviews', () => {
  it('git: project and event.patchSet.revision, change and patch set numbers', () => {
    const { changes } = changesOf(build(gerritProps));
    expect(changes).toEqual([
      {
        project: 'testProject',
        revision: 'd34db33fd43db33f',
        change: '4321',
        patchset: '12',
        changeId: gerritProps['event.change.id'],
        branch: 'master',
      },
    ]);
    expect(targetOf(changes[0])).toBe('gerrit:4321,12');
  });

  it('git: got_revision, then revision, when the event has no patch set revision; per codebase when a dict', () => {
    const { 'event.patchSet.revision': _, ...rest } = gerritProps;
    expect(changesOf(build({ ...rest, got_revision: 'abcdef12' })).changes[0].revision).toBe('abcdef12');
    expect(changesOf(build({ ...rest, revision: 'abcdef13' })).changes[0].revision).toBe('abcdef13');
    expect(changesOf(build({ ...rest, got_revision: { cb: 'abcdef14' }, codebase: 'cb' })).changes[0].revision).toBe(
      'abcdef14',
    );
    expect(changesOf(build({ ...rest, got_revision: { cb: 'abcdef14' } })).changes).toEqual([]);
  });

  it('repo: one change per downloaded project when the numbers match', () => {
    const found = changesOf(
      build({
        repo_downloads: ['platform/a 1234/5', 'platform/b 99/1'],
        repo_downloaded: '1234/5 aaaa1111 99/1 bbbb2222',
      }),
    );
    expect(found.changes.map((c) => [c.project, c.revision, targetOf(c)])).toEqual([
      ['platform/a', 'aaaa1111', 'gerrit:1234,5'],
      ['platform/b', 'bbbb2222', 'gerrit:99,1'],
    ]);
  });

  it('repo: mismatching downloads abort, and git properties are then not tried', () => {
    expect(
      changesOf(build({ ...gerritProps, repo_downloads: ['p 1/1'], repo_downloaded: '2/1 aaaa1111' })).changes,
    ).toEqual([]);
    expect(changesOf(build({ repo_downloads: ['p 1/1'], repo_downloaded: '1/1' })).changes).toEqual([]);
  });

  it('a revision that is not a commit id is not reviewed (it would become a Gerrit argument)', () => {
    const found = changesOf(build({ ...gerritProps, 'event.patchSet.revision': '--abandon' }));
    expect(found).toMatchObject({ changes: [], reason: expect.stringContaining('not a commit id') });
  });

  it.each(['--submit', '@/etc/passwd', '-x'])(
    'a project %j that the command line would read as an option or a file is not reviewed',
    (project) => {
      expect(changesOf(build({ ...gerritProps, 'event.change.project': project }))).toMatchObject({
        changes: [],
        reason: expect.stringContaining('starts with "-" or "@"'),
      });
      const repo = changesOf(
        build({ repo_downloads: [`${project} 4321/12`], repo_downloaded: '4321/12 d34db33fd43db33f' }),
      );
      expect(repo.changes).toEqual([]);
    },
  );

  it('a build without Gerrit properties gets no review', () => {
    expect(changesOf(build({ branch: 'master' })).changes).toEqual([]);
  });
});
