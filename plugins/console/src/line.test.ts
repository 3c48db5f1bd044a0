import {
  normaliseEvent,
  type BuildFinishedEvent,
  type BuildsetFinishedEvent,
  type WorkerMissingEvent,
} from '@bbreporters/core';
import { fixtures } from '@bbreporters/core/testing';
import { describe, expect, it } from 'vitest';
import { lineFor, render } from './line.js';

describe('lineFor', () => {
  it('names the builder, the number, the result and the state of a finished build, with its URL', () => {
    const event = normaliseEvent(fixtures.cancel.finished()) as BuildFinishedEvent;
    expect(lineFor(event)).toEqual({
      event: 'buildFinished',
      text: "slow #2 CANCELLED: cancelled (cancelled by bbharness) 'sleep 3' (cancelled)",
      url: 'http://127.0.0.1:8010/#builders/2/builds/2',
    });
  });

  it('counts a buildset of one build in the singular', () => {
    const event = normaliseEvent(fixtures.buildset()) as BuildsetFinishedEvent;
    const one = { ...event, payload: { ...event.payload, builds: event.payload.builds.slice(0, 1) } };
    expect(lineFor(one).text).toBe('buildset 8 FAILURE: 1 build (pass #3 SUCCESS)');
  });

  it('leaves out the last connection and the notify list of a missing worker when there are none', () => {
    const event = normaliseEvent(fixtures.workerMissing()) as WorkerMissingEvent;
    const bare = {
      ...event,
      payload: { ...event.payload, worker: { ...event.payload.worker, last_connection: '', notify: [] } },
    };
    expect(lineFor(bare).text).toBe('worker ghost-worker missing');
  });
});

describe('render', () => {
  it('text: the event in brackets, the text, then the URL', () => {
    expect(render({ event: 'buildStarted', text: 'pass #1 started', url: 'https://ci/#b/1' }, 'text')).toBe(
      '[buildStarted] pass #1 started https://ci/#b/1',
    );
    expect(render({ event: 'workerMissing', text: 'worker w missing' }, 'text')).toBe(
      '[workerMissing] worker w missing',
    );
  });

  it('escapes control characters from event data, so one event is one line in either format', () => {
    const line = { event: 'buildFinished' as const, text: 'evil\n[buildFinished] forged SUCCESS\r\u001b[2J' };
    expect(render(line, 'text')).toBe('[buildFinished] evil\\n[buildFinished] forged SUCCESS\\r\\u001b[2J');
    expect(render(line, 'json').split('\n')).toHaveLength(1);
    expect(JSON.parse(render(line, 'json'))).toEqual(line);
  });
});
