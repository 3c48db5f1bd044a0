import { recordingLogger } from '@bbreporters/core/testing';
import { describe, expect, it } from 'vitest';
import { checkResult, makeReviewResult } from './review.js';

describe('callback results', () => {
  it('no message means nothing is sent', () => {
    expect(checkResult({}, 'cb', recordingLogger()).message).toBeNull();
    expect(checkResult(undefined, 'cb', recordingLogger()).message).toBeNull();
  });

  it('makeReviewResult builds {message, labels}', () => {
    expect(makeReviewResult('m', ['Verified', 1], ['Code-Review', -1])).toEqual({
      message: 'm',
      labels: { Verified: 1, 'Code-Review': -1 },
    });
  });

  it('converts scores as Python int() does and drops what Gerrit cannot take, with a warning', () => {
    const logger = recordingLogger();
    const review = checkResult(
      { message: 'm', labels: { Verified: true, 'Code-Review': '-2', 'bad name': 1, Other: 'x' } },
      'reviewCB',
      logger,
    );
    expect(review.labels).toEqual([
      ['Verified', 1],
      ['Code-Review', -2],
    ]);
    expect(logger.messages('warn')).toEqual([
      'label name "bad name" is not a Gerrit label name; it is left out',
      'label Other has no integer score ("x"); it is left out',
    ]);
  });

  it("accepts the legacy (message, verified, reviewed) tuple with Buildbot's warning", () => {
    const logger = recordingLogger();
    expect(checkResult(['m', 1, 0], 'summaryCB', logger)).toEqual({
      message: 'm',
      labels: [
        ['Verified', 1],
        ['Code-Review', 0],
      ],
    });
    expect(logger.messages('warn')).toEqual([
      'The Gerrit status callback uses the old way to communicate results.  The outcome might be not what is expected.',
    ]);
  });

  it('refuses a message that is not a string', () => {
    expect(() => checkResult({ message: 42 }, 'reviewCB', recordingLogger())).toThrow(
      /reviewCB returned a message that is not a string/,
    );
  });
});
