import { describe, expect, it } from 'vitest';
import { needsOf } from './enricher.js';

describe('enrichment needs', () => {
  it('log_contents implies logs, which implies steps', () => {
    expect([...needsOf([{ needs: ['log_contents'] }])].sort()).toEqual(['log_contents', 'logs', 'steps']);
  });

  it('are the union of the manifests, with logs implying steps and blamelist implying changes', () => {
    expect([...needsOf([{ needs: ['logs'] }, { needs: ['blamelist', 'prev_build'] }, {}])].sort()).toEqual([
      'blamelist',
      'changes',
      'logs',
      'prev_build',
      'steps',
    ]);
    expect(needsOf([{}, { needs: [] }]).size).toBe(0);
  });
});
