import { describe, expect, it } from 'vitest';
import type { BuildPayload } from '@bbreporters/core';
import { pullRequestNumber } from './pull-request.js';

const build = (properties: Record<string, unknown>) =>
  ({ properties: Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, [v, 'test']])) }) as BuildPayload;

describe('pullRequestNumber', () => {
  it.each([
    [{ branch: 'refs/pull/7/head' }, 7],
    [{ branch: 'refs/pull/12/merge' }, 12],
    [{ branch: 'main', pullrequesturl: 'https://github.com/acme/widgets/pull/9' }, 9],
    [{ pullrequesturl: 'https://stash.example/projects/P/repos/r/pull-requests/3/overview' }, undefined],
    [{ pullrequesturl: 'https://github.com/acme/widgets/pull/9/' }, 9],
    [{ branch: 'refs/pull//head' }, undefined],
    [{ branch: 'refs/heads/main' }, undefined],
    [{ branch: null }, undefined],
    [{}, undefined],
  ])('%j → %s', (properties, expected) => {
    expect(pullRequestNumber(build(properties))).toBe(expected);
  });
});
