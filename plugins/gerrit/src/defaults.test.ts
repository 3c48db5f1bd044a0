import { Results, type BuildPayload } from '@bbreporters/core';
import { describe, expect, it } from 'vitest';
import { buildInfoList, defaultReviewCB, defaultSummaryCB, summaryResult } from './defaults.js';

const build = (name: string, results: number, url = `http://bb/#builders/1/builds/7`) =>
  ({
    builder: { name },
    results,
    state_string: results === 0 ? 'build successful' : 'failed',
    url,
  }) as unknown as BuildPayload;

describe('Buildbot default callbacks', () => {
  it('defaultSummaryCB: a line per build sorted by builder, Verified +1 only when all succeeded', () => {
    const ok = defaultSummaryCB(
      buildInfoList([build('Builder1', Results.SUCCESS), build('Builder0', Results.SUCCESS)]),
    );
    expect(ok).toEqual({
      message:
        'Builder Builder0 succeeded (build successful) - http://bb/#builders/1/builds/7\n\nBuilder Builder1 succeeded (build successful) - http://bb/#builders/1/builds/7',
      labels: { Verified: 1 },
    });
    expect(defaultSummaryCB(buildInfoList([build('a', Results.SUCCESS), build('b', Results.FAILURE)])).labels).toEqual({
      Verified: -1,
    });
    expect(defaultSummaryCB(buildInfoList([build('a', Results.WARNINGS)])).labels).toEqual({ Verified: -1 });
  });

  it('defaultSummaryCB ends a line with "." when the build has no url', () => {
    expect(defaultSummaryCB(buildInfoList([build('a', Results.FAILURE, '')])).message).toBe(
      'Builder a failed (failed).',
    );
  });

  it('defaultReviewCB: result in capitals, Verified ±1, nothing for RETRY', () => {
    expect(defaultReviewCB('b', build('b', Results.SUCCESS), Results.SUCCESS)).toEqual({
      message: 'Buildbot finished compiling your patchset\non configuration: b\nThe result is: SUCCESS\n',
      labels: { Verified: 1 },
    });
    expect(defaultReviewCB('b', build('b', Results.FAILURE), Results.FAILURE).labels).toEqual({ Verified: -1 });
    expect(defaultReviewCB('b', build('b', Results.RETRY), Results.RETRY)).toEqual({ message: null, labels: {} });
  });

  it('a summary result is success only when every build succeeded, else the worst', () => {
    expect(summaryResult([build('a', Results.SUCCESS), build('b', Results.SUCCESS)])).toBe(Results.SUCCESS);
    expect(summaryResult([build('a', Results.SUCCESS), build('b', Results.SKIPPED)])).toBe(Results.SKIPPED);
    expect(summaryResult([build('a', Results.FAILURE), build('b', Results.WARNINGS)])).toBe(Results.FAILURE);
  });
});
