import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageNameProblem, pascalCase } from './package-name.js';
import { scaffold } from './scaffold.js';

const fresh = () => join(mkdtempSync(join(tmpdir(), 'bbr-scaffold-')), 'plugin');

describe('the scaffolder', () => {
  it('writes a package whose manifest lists the chosen hooks and whose code handles exactly them', () => {
    const dir = fresh();
    const files = scaffold(dir, {
      name: '@acme/bbreporters-slack',
      description: 'Posts to Slack',
      hooks: ['buildFinished', 'workerMissing'],
    });
    expect(files).toEqual(
      expect.arrayContaining([
        '.gitignore',
        'README.md',
        'package.json',
        'schema/options.schema.json',
        'src/index.ts',
        'src/index.test.ts',
        'src/generated/options.ts',
        'tsconfig.json',
      ]),
    );
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    expect(pkg.name).toBe('@acme/bbreporters-slack');
    expect(pkg.bbreporter.hooks).toEqual(['buildFinished', 'workerMissing']);
    const code = readFileSync(join(dir, 'src/index.ts'), 'utf8');
    expect(code).toContain('buildFinished: (event) =>');
    expect(code).toContain('workerMissing: (event) =>');
    expect(code).not.toContain('buildStarted:');
    expect(code).toContain('definePlugin<BbreportersSlackOptions>');
    expect(readFileSync(join(dir, 'src/generated/options.ts'), 'utf8')).toContain(
      'export interface BbreportersSlackOptions',
    );
    expect(readFileSync(join(dir, 'src/index.test.ts'), 'utf8')).toContain('fixtures.fail.finished()');
    for (const file of files) expect(readFileSync(join(dir, file), 'utf8')).not.toMatch(/\{\{\w+\}\}/);
  });

  it("writes a README that stands alone: an example and a table of exactly the options schema's keys", () => {
    const dir = fresh();
    scaffold(dir, { name: 'x-reporter', description: 'd', hooks: ['buildFinished'] });
    const readme = readFileSync(join(dir, 'README.md'), 'utf8');
    const schema = JSON.parse(readFileSync(join(dir, 'schema/options.schema.json'), 'utf8'));
    const tableKeys = [...readme.matchAll(/^\| `(\w+)` \|/gm)].map((m) => m[1]);
    expect(tableKeys).toEqual(Object.keys(schema.properties));
    expect(readme).toMatch(/^```yaml\nreporters:\n {2}- plugin: x-reporter\n/m);
    expect(readme).not.toMatch(/\]\(\.\.?\//);
  });

  it('refuses a non-empty folder unless forced', () => {
    const dir = fresh();
    mkdirSync(dir);
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    expect(() => scaffold(dir, { name: 'x-reporter', description: 'd', hooks: ['buildFinished'] })).toThrow(
      /is not empty: choose another folder, or pass --force/,
    );
    expect(existsSync(join(dir, 'package.json'))).toBe(false);
    scaffold(dir, { name: 'x-reporter', description: 'd', hooks: ['buildFinished'] }, { force: true });
    expect(existsSync(join(dir, 'package.json'))).toBe(true);
  });

  it('refuses invalid package names and unknown hooks with clear messages', () => {
    expect(() => scaffold(fresh(), { name: 'My Reporter', description: '', hooks: ['buildFinished'] })).toThrow(
      'invalid package name "My Reporter": must be lower case',
    );
    expect(() => scaffold(fresh(), { name: 'ok-name', description: '', hooks: ['buildDone' as never] })).toThrow(
      /unknown hook "buildDone"/,
    );
    expect(packageNameProblem('_private')).toBe('must not start with "." or "_"');
    expect(packageNameProblem('@scope/a b')).toBe('may contain only lower-case letters, digits and - . _ ~');
    expect(packageNameProblem('@bbreporters/slack')).toBeUndefined();
    expect(pascalCase('bbreporters-my_thing')).toBe('BbreportersMyThing');
  });
});
