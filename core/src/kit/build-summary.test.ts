import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { BuildPayload } from '../events/events.js';
import { buildSummary } from './build-summary.js';

const captured = (name: string) =>
  JSON.parse(readFileSync(new URL(`../../fixtures/httpstatuspush/${name}`, import.meta.url), 'utf8')) as BuildPayload;

describe('buildSummary', () => {
  it('says what a failed Buildbot 3.7 build was: status, colour, link, failing steps, sources', () => {
    const build = { ...captured('change-fail.finished.json'), blamelist: ['Ada <ada@example.org>'] };
    expect(buildSummary(build)).toEqual({
      status: 'failure',
      statusText: 'failed',
      colour: '#d50200',
      emoji: '❌',
      title: 'Build #3 of fail failed',
      builder: 'fail',
      number: 3,
      url: 'http://127.0.0.1:8010/#builders/5/builds/3',
      detail: "failed 'false' (failure)",
      blamelist: ['Ada <ada@example.org>'],
      failingSteps: ['false'],
      sources: ['main@6bb18fb'],
    });
  });

  it('a started build is grey and says started; a passing one has no detail', () => {
    const started = buildSummary(captured('fail.new.json'));
    expect([started.status, started.title, started.colour, started.failingSteps]).toEqual([
      'started',
      `Build #${started.number} of fail started`,
      '#9e9e9e',
      [],
    ]);
    const passed = buildSummary(captured('pass.finished.json'));
    expect([passed.statusText, passed.detail]).toEqual(['completed successfully', undefined]);
  });

  it('an unknown result code is "finished", not a crash', () => {
    expect(buildSummary({ ...captured('pass.finished.json'), results: 42 }).status).toBe('finished');
  });
});
