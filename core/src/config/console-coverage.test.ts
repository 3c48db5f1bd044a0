import { describe, expect, it } from 'vitest';
import { consoleCoverageWarnings } from './console-coverage.js';

describe('the console needs an http source', () => {
  it('warns when the console is on and no http source serves it', () => {
    const replay = [{ type: 'replay' as const, file: 'events.jsonl' }];
    expect(consoleCoverageWarnings({ console: true, sources: replay })).toEqual([
      expect.stringContaining('no http source serves it'),
    ]);
    expect(consoleCoverageWarnings({ console: { readOnly: true } })).toHaveLength(1);
  });

  it('is quiet when an http source serves it, or the console is off', () => {
    expect(consoleCoverageWarnings({ console: true, sources: [{ type: 'http', listen: '127.0.0.1:0' }] })).toEqual([]);
    expect(consoleCoverageWarnings({ console: { enabled: false } })).toEqual([]);
    expect(consoleCoverageWarnings({})).toEqual([]);
  });
});
