import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LineCounter, parseDocument } from 'yaml';
import { substituteEnv } from './env.js';
import { createLocator } from './locate.js';
import { checkModuleReferences, importModuleReference, isModuleReference, parseModuleReference } from '../kit/module-reference.js';
import { joinPath, splitPath } from '../diagnostics/json-path.js';
import { closest, editDistance } from './suggest.js';
import { isLoopback, parseListen } from '../sources/http.js';

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

describe('config paths', () => {
  it('splits and joins the paths messages use', () => {
    expect(splitPath('reporters[0].options.mode')).toEqual(['reporters', 0, 'options', 'mode']);
    expect(joinPath(['reporters', 0, 'options', 'mode'])).toBe('reporters[0].options.mode');
    expect(splitPath('(root)')).toEqual([]);
  });
});

describe('${NAME} substitution', () => {
  it('replaces references in nested values and keeps $${ literal', () => {
    const data = { sources: [{ token: '${TOKEN}', path: '/x/${SUB}/y' }], note: 'costs $${AMOUNT}' };
    expect(substituteEnv(data, { TOKEN: 't', SUB: 's' })).toEqual([]);
    expect(data).toEqual({ sources: [{ token: 't', path: '/x/s/y' }], note: 'costs ${AMOUNT}' });
  });

  it('names the variable and the key of each missing variable', () => {
    expect(substituteEnv({ a: { b: ['${NOPE}'] } }, {})).toEqual([{ path: 'a.b[0]', message: 'environment variable NOPE is not set (referenced as ${NOPE})' }]);
  });
});

describe('module references', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bbr-modref-'));
  writeFileSync(join(dir, 'hooks.mjs'), 'export function review() { return 42; }\nexport const notAFunction = 1;\n');

  it('recognises ./file.mjs#name but not domains, channels or plain paths', () => {
    expect(isModuleReference('./hooks.mjs#review')).toBe(true);
    expect(isModuleReference('../lib/x.js#fn')).toBe(true);
    expect(isModuleReference('hooks.cjs#fn')).toBe(true);
    for (const value of ['example.org', '#ci', 'irc#chan', './templates', 'https://x.org/a#b']) expect(isModuleReference(value), value).toBe(false);
  });

  it('resolves from the config folder and reports missing files by path', () => {
    expect(parseModuleReference('./hooks.mjs#review', dir)).toEqual({ ref: './hooks.mjs#review', file: join(dir, 'hooks.mjs'), exportName: 'review' });
    expect(checkModuleReferences({ a: './hooks.mjs#review', b: ['./gone.mjs#x'] }, 'reporters[0].options', dir)).toEqual([
      { path: 'reporters[0].options.b[0]', message: `module reference "./gone.mjs#x": ${join(dir, 'gone.mjs')} does not exist` },
    ]);
  });

  it('imports the named function, and refuses an export that is not one', async () => {
    const review = await importModuleReference<() => number>('./hooks.mjs#review', dir);
    expect(review()).toBe(42);
    await expect(importModuleReference('./hooks.mjs#notAFunction', dir)).rejects.toMatchObject({ code: 'BBR_MODULE_REFERENCE' });
  });
});

describe('http listen addresses', () => {
  it('parses host:port, [v6]:port and :port', () => {
    expect(parseListen('127.0.0.1:8020')).toEqual({ host: '127.0.0.1', port: 8020 });
    expect(parseListen('[::1]:0')).toEqual({ host: '::1', port: 0 });
    expect(parseListen(':8020')).toEqual({ host: '0.0.0.0', port: 8020 });
    expect(parseListen('8020')).toBeUndefined();
    expect(parseListen('host:99999')).toBeUndefined();
  });

  it('knows loopback addresses', () => {
    expect(['127.0.0.1', '127.1.2.3', '::1', 'localhost'].every(isLoopback)).toBe(true);
    expect(['0.0.0.0', '10.0.0.1', '::'].some(isLoopback)).toBe(false);
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
