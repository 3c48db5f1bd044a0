import { describe, expect, it } from 'vitest';
import { Results } from '../events/results.js';
import { bitbucketStates, gerritVerifyValues, githubStates, gitlabStates, giteaStates, stateFor } from './states.js';

const finished = (results: number | null) => ({ complete: true, results, started_at: 1 });

describe('state tables', () => {
  it('GitHub: pending while running; success for SUCCESS/WARNINGS/SKIPPED; failure; error for EXCEPTION/CANCELLED/unknown; RETRY pending', () => {
    expect(stateFor(githubStates, { complete: false, started_at: 1 })).toBe('pending');
    expect([0, 1, 2, 3, 4, 5, 6, 99].map((r) => stateFor(githubStates, finished(r)))).toEqual([
      'success',
      'success',
      'failure',
      'success',
      'error',
      'pending',
      'error',
      'error',
    ]);
  });

  it('GitLab: running once started, pending before; failed for EXCEPTION; canceled (one l) for CANCELLED', () => {
    expect(stateFor(gitlabStates, { complete: false, started_at: 1 })).toBe('running');
    expect(stateFor(gitlabStates, { complete: false, started_at: null })).toBe('pending');
    expect([0, 1, 2, 3, 4, 5, 6, null].map((r) => stateFor(gitlabStates, finished(r)))).toEqual([
      'success',
      'success',
      'failed',
      'success',
      'failed',
      'pending',
      'canceled',
      'failed',
    ]);
  });

  it('Bitbucket: INPROGRESS, SUCCESSFUL only for SUCCESS, every other result FAILED', () => {
    expect(stateFor(bitbucketStates, { complete: false })).toBe('INPROGRESS');
    expect(stateFor(bitbucketStates, finished(Results.SUCCESS))).toBe('SUCCESSFUL');
    for (const r of [1, 2, 3, 4, 5, 6]) expect(stateFor(bitbucketStates, finished(r))).toBe('FAILED');
  });

  it('Gitea: warning for WARNINGS, failure for unknown results', () => {
    expect(stateFor(giteaStates, finished(Results.WARNINGS))).toBe('warning');
    expect(stateFor(giteaStates, finished(42))).toBe('failure');
  });

  it('Gerrit verify-status: 0 while running, 1 for SUCCESS and WARNINGS, -1 for FAILURE and unknown results, else 0', () => {
    expect(stateFor(gerritVerifyValues, { complete: false, started_at: 1 })).toBe(0);
    expect([0, 1, 2, 3, 4, 5, 6, 42].map((r) => stateFor(gerritVerifyValues, finished(r)))).toEqual([
      1, 1, -1, 0, 0, 0, 0, -1,
    ]);
  });
});
