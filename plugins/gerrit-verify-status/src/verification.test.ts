import { describe, expect, it } from 'vitest';
import { formatDuration, verificationRequest, verificationTarget } from './verification.js';

describe('formatDuration (Buildbot test_gerrit_verify_status durations)', () => {
  it.each([
    [1, '0m 1s'],
    [3601, '1h 0m 1s'],
    [86_401, '1 day 0h 0m 1s'],
    [2 * 86_400 + 1, '2 days 0h 0m 1s'],
    [2 * 3600 + 64, '2h 1m 4s'],
    [0, '0m 0s'],
  ])('%i s → %s', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });
});

describe('verificationRequest', () => {
  const result = { value: 1, abstain: false, reporter: 'buildbot', duration: '0m 1s' };

  it('posts the VerifyInput under /a/, each identifier one encoded segment, a path of the base kept', () => {
    const request = verificationRequest(
      'https://review.example.org/gerrit/',
      { change_id: 'platform/tools~master~I8473b959', revision_id: '12' },
      'lint',
      result,
    );
    expect(request).toEqual({
      method: 'POST',
      url: 'https://review.example.org/gerrit/a/changes/platform%2Ftools~master~I8473b959/revisions/12/verify-status~verifications',
      headers: { 'Content-Type': 'application/json' },
      body: { verifications: { lint: result } },
    });
  });

  it.each([
    { change_id: '..', revision_id: '1' },
    { change_id: '1', revision_id: '%2e%2e' },
    { change_id: '.', revision_id: '1' },
  ])('refuses a dot segment from event data: %o', (change) => {
    expect(() => verificationRequest('https://review.example.org', change, 'lint', result)).toThrow(
      /cannot be a segment/,
    );
  });

  it('targets one verification name of one patch set', () => {
    expect(verificationTarget({ change_id: '4321', revision_id: '12' }, 'lint')).toBe(
      'gerrit-verify-status:4321/12:lint',
    );
  });
});
