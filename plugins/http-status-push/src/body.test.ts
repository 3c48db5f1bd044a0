import { fixture } from '@bbreporters/core/testing';
import type { BuildPayload } from '@bbreporters/core';
import { describe, expect, it } from 'vitest';
import { buildBody } from './body.js';
import { requestHeaders } from './index.js';

const build = () => ({ ...fixture('change-pass.finished'), blamelist: ['dev'], changes: [] }) as unknown as BuildPayload;

describe('buildBody', () => {
  it('without want flags: properties {}, no steps, no prev_build, none of the keys Buildbot never sends', () => {
    const body = buildBody(build(), {});
    expect(body.properties).toEqual({});
    for (const key of ['steps', 'prev_build', 'blamelist', 'changes']) expect(body).not.toHaveProperty(key);
    expect(body).toMatchObject({ buildid: 13, complete: true, builder: { name: 'pass' } });
  });

  it('wantProperties keeps the properties; wantSteps keeps steps without logs unless wantLogs', () => {
    const input = build();
    input.steps = input.steps!.map((s) => ({ ...s, logs: [] }));
    const body = buildBody(input, { wantProperties: true, wantSteps: true });
    expect(body.properties).toEqual(input.properties);
    expect((body.steps as object[]).every((s) => !('logs' in s))).toBe(true);
    expect((buildBody(input, { wantSteps: true, wantLogs: true }).steps as object[]).every((s) => 'logs' in s)).toBe(true);
  });
});

describe('requestHeaders', () => {
  it('JSON always; credentials by the configured kind; extra headers last', () => {
    expect(requestHeaders({ serverUrl: 'http://h/' })).toEqual({ 'Content-Type': 'application/json' });
    expect(requestHeaders({ serverUrl: 'http://h/', user: 'u', password: 'p' }).Authorization).toBe(`Basic ${Buffer.from('u:p').toString('base64')}`);
    expect(requestHeaders({ serverUrl: 'http://h/', auth: { type: 'bearer', token: 't' } }).Authorization).toBe('Bearer t');
    expect(requestHeaders({ serverUrl: 'http://h/', auth: { type: 'header', name: 'X-Key', value: 'v' }, headers: { 'X-More': '1' } })).toEqual({ 'Content-Type': 'application/json', 'X-Key': 'v', 'X-More': '1' });
  });
});
