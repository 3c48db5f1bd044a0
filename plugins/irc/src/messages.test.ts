import { describe, expect, it } from 'vitest';
import { ago, revisionsOf, type BuildPayload } from '@bbreporters/core';
import { colourFor } from './colors.js';
import { finishedMessage, startedMessage } from './messages.js';

const build = (extra: Partial<BuildPayload> = {}): BuildPayload =>
  ({
    buildid: 9,
    number: 3,
    builderid: 1,
    buildrequestid: 1,
    workerid: 1,
    masterid: 1,
    started_at: 0,
    complete: true,
    complete_at: 1,
    results: 2,
    state_string: 'failed test',
    builder: { builderid: 1, name: 'builder1' },
    url: 'http://ci/#builders/1/builds/3',
    ...extra,
  }) as BuildPayload;
const plain = { useColors: false, useRevisions: false, showBlameList: false };

describe('messages', () => {
  it('formats started and finished like Buildbot 1.x', () => {
    expect(startedMessage(build(), plain)).toBe('build #3 of builder1 started');
    expect(finishedMessage(build(), plain)).toBe(
      'Build builder1 #3 is complete: Failure [failed test] - http://ci/#builders/1/builds/3',
    );
    expect(finishedMessage(build({ results: 9 }), plain)).toContain('complete: ?? [');
  });

  it('colours every result distinctly, with two-digit codes', () => {
    const codes = [0, 1, 2, 3, 4, 5, 6].map((r) => colourFor(r, 'x', true));
    expect(codes[0]).toBe('\x0303x\x0f');
    expect(codes[6]).toBe('\x0313x\x0f');
    expect(new Set(codes).size).toBe(7);
    expect(colourFor(0, 'x', false)).toBe('x');
  });

  it('uses revisions (hashes shortened to 7 characters) with useRevisions, the number without them', () => {
    const withRevs = build({
      buildset: {
        bsid: 1,
        reason: '',
        complete: true,
        sourcestamps: [
          {
            ssid: 1,
            revision: '6bb18fb7a037a13e58936e828985647ec9f6e8b3',
            branch: '',
            repository: '',
            project: '',
            codebase: '',
          },
          { ssid: 2, revision: 'v1.2', branch: '', repository: '', project: '', codebase: '' },
        ],
      },
    } as Partial<BuildPayload>);
    expect(revisionsOf(withRevs)).toEqual(['6bb18fb', 'v1.2']);
    const style = { ...plain, useRevisions: true };
    expect(startedMessage(withRevs, style)).toBe('build containing revisions [6bb18fb, v1.2] of builder1 started');
    expect(startedMessage(build(), style)).toBe('build #3 of builder1 started');
  });

  it('appends the blame list to failed builds only, with showBlameList', () => {
    const style = { ...plain, showBlameList: true };
    expect(finishedMessage(build({ blamelist: ['a', 'b'] }), style)).toMatch(/ - blamelist: a, b$/);
    expect(finishedMessage(build({ blamelist: ['a'], results: 0 }), style)).not.toContain('blamelist');
    expect(finishedMessage(build({ blamelist: ['a'] }), plain)).not.toContain('blamelist');
  });

  it('says how long ago like Buildbot 1.x', () => {
    expect(ago(42)).toBe('42 seconds');
    expect(ago(185)).toBe('3m05s');
    expect(ago(7385)).toBe('2h03m05s');
  });
});
