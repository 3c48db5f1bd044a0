import { describe, expect, it } from 'vitest';
import type { BuildPayload } from '@bbreporters/core';
import { giteaRepoOf } from './repo.js';

const build = (properties: Record<string, unknown>) =>
  ({ properties: Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, [v, 'test']])) }) as BuildPayload;

describe('giteaRepoOf', () => {
  it.each([
    ['git@gitea.example:acme/widgets.git', {}, { owner: 'acme', repo: 'widgets' }],
    ['ssh://git@gitea.example:2222/acme/widgets.git', {}, { owner: 'acme', repo: 'widgets' }],
    ['https://gitea.example/acme/widgets', {}, { owner: 'acme', repo: 'widgets' }],
    ['', { repository_name: 'r', owner: 'o' }, { owner: 'o', repo: 'r' }],
    ['git@gitea.example:acme/widgets.git', { owner: 'dora@example.test' }, { owner: 'acme', repo: 'widgets' }],
    [
      'git@gitea.example:acme/widgets.git',
      { pr_id: 3, head_owner: 'dora', head_reponame: 'fork', head_sha: 'abcd' },
      { owner: 'dora', repo: 'fork', revision: 'abcd' },
    ],
  ])('%s with %j → %j', (repository, properties, found) => {
    expect(giteaRepoOf(build(properties), { repository })).toEqual({ found });
  });

  it.each([
    ['widgets', {}, 'Could not send status, build has no repository_name property for Gitea.'],
    ['', { repository_name: 'r' }, 'Could not send status, build has no owner property for Gitea.'],
    [
      '',
      { repository_name: 'r', owner: 'Dora <d@x>' },
      'Could not send status, build has no owner property for Gitea.',
    ],
    [
      'x',
      { pr_id: 3, head_owner: 'dora' },
      'a pull-request build (pr_id) needs the head_owner, head_reponame and head_sha properties',
    ],
  ])('%s with %j is missing: %s', (repository, properties, missing) => {
    expect(giteaRepoOf(build(properties), { repository })).toEqual({ missing });
  });
});
