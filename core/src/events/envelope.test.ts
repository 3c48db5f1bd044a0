import { describe, expect, it } from 'vitest';
import { normaliseEvent } from './envelope.js';
import { BbrError } from '../diagnostics/errors.js';
import { fixture } from '../testing/fixtures.js';

const detailsOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(BbrError);
    return (error as BbrError).details.map((d) => `${d.path} ${d.message}`);
  }
  throw new Error('expected an error');
};

describe('the envelope normaliser', () => {
  it('turns a raw HttpStatusPush "new" body into buildStarted', () => {
    const event = normaliseEvent(fixture('pass.new'));
    expect(event.event).toBe('buildStarted');
    expect(event.id).toBe('buildStarted:1');
  });

  it('turns a raw HttpStatusPush finished body into buildFinished', () => {
    const event = normaliseEvent(fixture('fail.finished'));
    expect(event.event).toBe('buildFinished');
    expect(event.id).toBe('buildFinished:2');
    expect(event.event === 'buildFinished' && event.payload.results).toBe(2);
  });

  it('keeps an envelope id when given, derives one otherwise', () => {
    expect(normaliseEvent({ event: 'buildFinished', id: 'mine', payload: fixture('fail.finished') }).id).toBe('mine');
    expect(normaliseEvent(fixture('buildset-finished')).id).toBe('buildsetFinished:8');
    expect(normaliseEvent(fixture('worker-missing')).id).toBe('workerMissing:2:Mon Nov 23 19:49:45 2026');
  });

  it('names the bad field of an invalid HttpStatusPush body', () => {
    const body = fixture('fail.finished');
    delete body.buildid;
    body.results = 'failure';
    expect(detailsOf(() => normaliseEvent(body))).toEqual(
      expect.arrayContaining(['buildid is required', 'results must be integer or null']),
    );
  });

  it('names the bad field inside an envelope payload', () => {
    const payload = fixture('fail.finished');
    (payload.builder as Record<string, unknown>).name = 42;
    expect(detailsOf(() => normaliseEvent({ event: 'buildFinished', payload }))).toContain(
      'payload.builder.name must be string',
    );
  });

  it('rejects input that is neither an envelope nor a build', () => {
    expect(() => normaliseEvent([1, 2])).toThrow(/must be a JSON object, got an array/);
    expect(() => normaliseEvent({ hello: 'world' })).toThrow(/neither an envelope/);
    expect(detailsOf(() => normaliseEvent({ event: 'buildFinished' }))).toContain('payload is required');
  });
});
