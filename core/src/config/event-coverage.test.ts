import { describe, expect, it } from 'vitest';
import type { PreparedReporter } from '../loader/prepare.js';
import { eventCoverageWarnings } from './event-coverage.js';

const reporter = (hooks: string[], options: unknown, optionEvents: unknown = []) =>
  ({
    name: 'r',
    spec: { plugin: 'r', path: 'reporters[0]', options },
    manifest: { apiVersion: 1, hooks, optionsSchema: 's.json', optionEvents },
  }) as unknown as PreparedReporter;
const http = { type: 'http' as const };

describe('eventCoverageWarnings', () => {
  it('warns about a reporter whose hooks no source receives', () => {
    expect(eventCoverageWarnings([http], [reporter(['workerMissing'], {})])).toEqual([
      'reporters[0]: reporter "r" handles only workerMissing, but no configured source (http) receives workerMissing events from Buildbot; add a source of type buildbot',
    ]);
    expect(eventCoverageWarnings([], [reporter(['workerMissing'], {})])).toEqual([]);
  });

  it("reads `when` as the value, a list's item or an object's key; without it any value but false, null or []", () => {
    const optionEvents = [
      { option: 'events', event: 'workerMissing', when: 'worker' },
      { option: 'summary', event: 'buildsetFinished' },
    ];
    const warned = (options: unknown) =>
      eventCoverageWarnings([http], [reporter(['buildFinished'], options, optionEvents)]).map((w) => w.split(':')[0]);
    expect(warned({ events: { worker: 1 }, summary: 'yes' })).toEqual([
      'reporters[0].options.events',
      'reporters[0].options.summary',
    ]);
    expect(warned({ events: ['worker'] })).toEqual(['reporters[0].options.events']);
    expect(warned({ events: 'worker', summary: [] })).toEqual(['reporters[0].options.events']);
    expect(warned({ events: ['failure'], summary: false })).toEqual([]);
    expect(warned({ summary: null })).toEqual([]);
  });
});
