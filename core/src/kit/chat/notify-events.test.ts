import { describe, expect, it } from 'vitest';
import type { BuildPayload } from '../../events/events.js';
import { configuredEvents, finishedEvents, isNotifyEvent } from './notify-events.js';

const build = (results: number | null, previous?: number | null): BuildPayload =>
  ({
    buildid: 2,
    number: 2,
    builderid: 1,
    buildrequestid: 1,
    workerid: 1,
    masterid: 1,
    started_at: 0,
    complete: true,
    complete_at: 1,
    results,
    state_string: '',
    builder: { builderid: 1, name: 'b' },
    ...(previous === undefined
      ? {}
      : {
          prev_build: {
            buildid: 1,
            number: 1,
            builderid: 1,
            buildrequestid: 1,
            workerid: 1,
            masterid: 1,
            started_at: 0,
            complete: previous !== null,
            complete_at: null,
            results: previous,
            state_string: '',
          },
        }),
  }) as BuildPayload;

describe('notify event names', () => {
  it('accepts Buildbot 1.x names and xToY, HEAD additions, and nothing else', () => {
    for (const name of [
      'started',
      'finished',
      'success',
      'failure',
      'exception',
      'warnings',
      'cancelled',
      'successToFailure',
      'failureToSuccess',
      'warningsToException',
      'problem',
      'recovery',
      'worse',
      'better',
      'worker',
    ]) {
      expect(isNotifyEvent(name), name).toBe(true);
    }
    for (const name of ['Started', 'successtofailure', 'cancelledToSuccess', 'successToCancelled', 'all', ''])
      expect(isNotifyEvent(name), name).toBe(false);
  });

  it('reads the list form and the dictionary form (keys only, values ignored)', () => {
    expect(configuredEvents(['started'])).toEqual(['started']);
    expect(configuredEvents({ exception: 0, successToFailure: 1 })).toEqual(['exception', 'successToFailure']);
    expect(configuredEvents(undefined)).toEqual([]);
  });
});

describe('finishedEvents', () => {
  it('fires finished and the result name', () => {
    expect([...finishedEvents(build(0))]).toEqual(['finished', 'success']);
    expect([...finishedEvents(build(6))]).toEqual(['finished', 'cancelled']);
  });

  it('fires the xToY transition and HEAD problem/worse against the previous build', () => {
    expect([...finishedEvents(build(2, 0))].sort()).toEqual([
      'failure',
      'finished',
      'problem',
      'successToFailure',
      'worse',
    ]);
    expect([...finishedEvents(build(0, 4))].sort()).toEqual([
      'better',
      'exceptionToSuccess',
      'finished',
      'recovery',
      'success',
    ]);
    expect([...finishedEvents(build(1, 1))].sort()).toEqual(['finished', 'warnings', 'warningsToWarnings']);
  });

  it('fires no transition when the previous build is unknown or still running (Buildbot 1.x crashed there)', () => {
    expect([...finishedEvents(build(2))]).toEqual(['finished', 'failure']);
    expect([...finishedEvents(build(2, null))]).toEqual(['finished', 'failure']);
  });

  it('fires no xToY for cancelled, but worse for success → cancelled', () => {
    expect([...finishedEvents(build(6, 0))].sort()).toEqual(['cancelled', 'finished', 'worse']);
  });
});
