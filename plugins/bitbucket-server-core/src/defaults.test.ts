import { describe, expect, it } from 'vitest';
import type { BuildPayload } from '@bbreporters/core';
import { defaultName, durationMs, refOf, testResultsOf } from './defaults.js';
import { projectRepoOf } from './status.js';

const build = (over: Partial<BuildPayload> = {}) =>
  ({
    number: 0,
    builder: { builderid: 1, name: 'Builder0' },
    started_at: 100,
    complete: false,
    ...over,
  }) as BuildPayload;

describe('BitbucketServerCoreAPIStatusPush defaults (stash.md §4)', () => {
  it("name: '<builder> #<number>', a parent build's first", () => {
    expect(defaultName(build())).toBe('Builder0 #0');
    const parent = { parentbuild: { number: 4 }, parentbuilder: { builderid: 2, name: 'Top' } };
    expect(defaultName(build(parent as Partial<BuildPayload>))).toBe('Top #4 \u00bb Builder0 #0');
  });

  it('ref: refs/… as is, a branch under refs/heads/, none without a branch', () => {
    expect(refOf({ branch: 'master' })).toBe('refs/heads/master');
    expect(refOf({ branch: 'refs/tags/v1' })).toBe('refs/tags/v1');
    expect(refOf({ branch: null })).toBeUndefined();
  });

  it('duration: whole seconds × 1000, finished builds only', () => {
    expect(durationMs(build({ complete: true, complete_at: 110.9 }))).toBe(10000);
    expect(durationMs(build({ complete_at: 110 }))).toBeNull();
  });

  it('test results: from tests_* properties when any is non-zero', () => {
    const props = (p: Record<string, unknown>) =>
      Object.fromEntries(Object.entries(p).map(([k, v]) => [k, [v, 'test']])) as BuildPayload['properties'];
    expect(testResultsOf(build({ complete: true, properties: props({ tests_skipped: 3 }) }))).toEqual({
      failed: 0,
      skipped: 3,
      successful: 0,
    });
    expect(testResultsOf(build({ complete: true, properties: props({ tests_failed: 0 }) }))).toBeNull();
    expect(testResultsOf(build({ properties: props({ tests_failed: 1 }) }))).toBeNull();
  });

  it("project key and slug: the repository's last two path segments", () => {
    expect(projectRepoOf({ repository: 'https://bb/scm/PRJ/repo.git' })).toEqual({
      projectKey: 'PRJ',
      repoSlug: 'repo',
    });
    expect(projectRepoOf({ repository: 'git@bb:PRJ/repo.git' })).toEqual({ projectKey: 'PRJ', repoSlug: 'repo' });
    expect(projectRepoOf({ repository: 'https://example.org/repo' })).toBeUndefined();
  });
});
