import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  checkModuleReferences,
  importModuleReference,
  isModuleReference,
  parseModuleReference,
} from './module-reference.js';

describe('module references', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bbr-modref-'));
  writeFileSync(join(dir, 'hooks.mjs'), 'export function review() { return 42; }\nexport const notAFunction = 1;\n');

  it('recognises ./file.mjs#name but not domains, channels or plain paths', () => {
    expect(isModuleReference('./hooks.mjs#review')).toBe(true);
    expect(isModuleReference('../lib/x.js#fn')).toBe(true);
    expect(isModuleReference('hooks.cjs#fn')).toBe(true);
    for (const value of ['example.org', '#ci', 'irc#chan', './templates', 'https://x.org/a#b'])
      expect(isModuleReference(value), value).toBe(false);
  });

  it('resolves from the config folder and reports missing files by path', () => {
    expect(parseModuleReference('./hooks.mjs#review', dir)).toEqual({
      ref: './hooks.mjs#review',
      file: join(dir, 'hooks.mjs'),
      exportName: 'review',
    });
    expect(
      checkModuleReferences({ a: './hooks.mjs#review', b: ['./gone.mjs#x'] }, 'reporters[0].options', dir),
    ).toEqual([
      {
        path: 'reporters[0].options.b[0]',
        message: `module reference "./gone.mjs#x": ${join(dir, 'gone.mjs')} does not exist`,
      },
    ]);
  });

  it('imports the named function, and refuses an export that is not one', async () => {
    const review = await importModuleReference<() => number>('./hooks.mjs#review', dir);
    expect(review()).toBe(42);
    await expect(importModuleReference('./hooks.mjs#notAFunction', dir)).rejects.toMatchObject({
      code: 'BBR_MODULE_REFERENCE',
    });
  });
});
