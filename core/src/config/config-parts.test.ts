import { describe, expect, it } from 'vitest';
import { LineCounter, parseDocument } from 'yaml';
import { substituteEnv } from './env.js';
import { createLocator } from './locate.js';
import { closest, editDistance } from './suggest.js';

describe('did you mean', () => {
  it('counts a swap of two neighbouring letters as one edit', () => {
    expect(editDistance('stram', 'stream')).toBe(1);
    expect(editDistance('fromat', 'format')).toBe(1);
  });

  it('suggests the nearest key, and nothing when every key is far', () => {
    expect(closest('tokn', ['marker', 'count', 'token'])).toBe('token');
    expect(closest('Listen', ['listen', 'path'])).toBe('listen');
    expect(closest('colour', ['marker', 'count', 'token'])).toBeUndefined();
  });
});

describe('${NAME} substitution', () => {
  it('replaces references in nested values and keeps $${ literal', () => {
    const data = { sources: [{ token: '${TOKEN}', path: '/x/${SUB}/y' }], note: 'costs $${AMOUNT}' };
    expect(substituteEnv(data, { TOKEN: 't', SUB: 's' })).toEqual([]);
    expect(data).toEqual({ sources: [{ token: 't', path: '/x/s/y' }], note: 'costs ${AMOUNT}' });
  });

  it('names the variable and the key of each missing variable', () => {
    expect(substituteEnv({ a: { b: ['${NOPE}'] } }, {})).toEqual([
      { path: 'a.b[0]', message: 'environment variable NOPE is not set (referenced as ${NOPE})' },
    ]);
  });
});

describe('locating config paths in the YAML text', () => {
  const text = 'title: CI\nreporters:\n  - plugin: console\n    options:\n      stram: stderr\n  - plugin: mail\n';
  const lines = new LineCounter();
  const locate = createLocator(parseDocument(text, { lineCounter: lines }), lines, 'c.yaml');

  it('points at a value, or at the key itself for an unknown key', () => {
    expect(locate('title')).toBe('c.yaml:1:8');
    expect(locate('reporters[0].options.stram')).toBe('c.yaml:5:14');
    expect(locate('reporters[0].options.stram', { key: true })).toBe('c.yaml:5:7');
    expect(locate('reporters[1].plugin')).toBe('c.yaml:6:13');
  });

  it('points a missing key at the nearest parent that exists', () => {
    expect(locate('reporters[1].options.mode')).toBe('c.yaml:6:5');
    expect(locate('(root)')).toBe('c.yaml:1:1');
  });
});
