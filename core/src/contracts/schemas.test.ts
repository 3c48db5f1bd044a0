import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { coreValidator, describeAjvErrors } from './schemas.js';

const shared = new URL('../../../test/fixtures/buildbot-3.7/', import.meta.url);
const local = new URL('../../fixtures/', import.meta.url);
const json = (url: URL) => JSON.parse(readFileSync(url, 'utf8')) as Record<string, unknown>;
const frames = (file: string) =>
  readFileSync(new URL(`websocket/${file}`, shared), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { k: string; m: Record<string, unknown> });

const buildPayload = coreValidator('event.schema.json#/$defs/buildPayload');
const envelope = coreValidator('event.schema.json');
const errorsOf = (v: typeof envelope) => describeAjvErrors(v.errors).map((d) => `${d.path} ${d.message}`);

describe('schemas accept every real Buildbot 3.7 capture', () => {
  const bodies = readdirSync(new URL('httpstatuspush/', shared));
  it.each(bodies)('HttpStatusPush body %s is a valid build payload', (file) => {
    const ok = buildPayload(json(new URL(`httpstatuspush/${file}`, shared)));
    expect(ok ? [] : errorsOf(buildPayload)).toEqual([]);
  });

  const wsFiles = readdirSync(new URL('websocket/', shared)).filter((f) => f.endsWith('.jsonl') && f !== 'acks.jsonl');
  const shapes: Array<[RegExp, string]> = [
    [/^builds\/\d+\/(new|finished|update)$/, 'buildbot.schema.json#/$defs/build'],
    [/^buildsets\/\d+\/(new|complete)$/, 'buildbot.schema.json#/$defs/buildset'],
    [/^buildrequests\/\d+\/\w+$/, 'buildbot.schema.json#/$defs/buildrequest'],
    [/^workers\/\d+\/\w+$/, 'buildbot.schema.json#/$defs/worker'],
    [/^steps\/\d+\/\w+$/, 'buildbot.schema.json#/$defs/step'],
  ];
  it.each(wsFiles)('every data-API frame in websocket/%s validates against its shape', (file) => {
    let checked = 0;
    for (const frame of frames(file)) {
      const shape = shapes.find(([re]) => re.test(frame.k));
      if (!shape) continue;
      const validate = coreValidator(shape[1]);
      expect(validate(frame.m) ? [] : [frame.k, ...errorsOf(validate)]).toEqual([]);
      checked += 1;
    }
    expect(checked).toBeGreaterThan(0);
  });

  it.each(['buildset-finished', 'worker-missing'])('the assembled %s envelope is valid', (name) => {
    const ok = envelope(json(new URL(`events/${name}.json`, local)));
    expect(ok ? [] : errorsOf(envelope)).toEqual([]);
  });
});

describe('schemas are strict where Buildbot is', () => {
  const fail = () => json(new URL('httpstatuspush/fail.finished.json', shared));

  it('rejects a string results code', () => {
    const body = { ...fail(), results: 'failure' };
    expect(buildPayload(body)).toBe(false);
    expect(errorsOf(buildPayload)).toContain('results must be integer or null');
  });

  it('rejects a body without buildid', () => {
    const body = fail();
    delete body.buildid;
    expect(buildPayload(body)).toBe(false);
    expect(errorsOf(buildPayload)).toContain('buildid is required');
  });

  it('rejects a property that is not a [value, source] tuple', () => {
    const body = fail();
    (body.properties as Record<string, unknown>).branch = 'main';
    expect(buildPayload(body)).toBe(false);
    expect(errorsOf(buildPayload).some((e) => e.startsWith('properties.branch '))).toBe(true);
  });

  it('rejects a three-element property', () => {
    const body = fail();
    (body.properties as Record<string, unknown>).branch = ['main', 'Build', 'extra'];
    expect(buildPayload(body)).toBe(false);
  });

  it('rejects results out of range', () => {
    expect(buildPayload({ ...fail(), results: 7 })).toBe(false);
  });

  it('accepts unknown extra fields (newer masters add keys)', () => {
    expect(buildPayload({ ...fail(), locks_duration_s: 0, some_future_key: { x: 1 } })).toBe(true);
  });

  it('rejects an envelope with an unknown event name, naming the field', () => {
    expect(envelope({ event: 'buildExploded', payload: {} })).toBe(false);
    expect(errorsOf(envelope).join('\n')).toMatch(/event/);
  });
});
