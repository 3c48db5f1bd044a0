/**
 * The repository is self-contained: a user's clone has nothing beside it, so no tracked file may
 * refer to a path outside the clone (a relative `../…` that climbs out of it, or the absolute path of
 * a machine it was written on).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './support/bbreporters-cli.js';

/** Text the files may hold although it climbs out: hostile event data a test feeds on purpose. */
const allowed: Record<string, string[]> = {
  'test/commit-status-traversal.test.ts': ['../..', '../../x'],
  'test/github-comment.test.ts': ['../..'],
  'test/gitea.test.ts': ['../../x'],
  'test/gerrit-verify-status.test.ts': ['../../../x'],
  'test/bitbucket-server-pr-comment.test.ts': ['../../../../../admin'],
  'plugins/bitbucket-server-pr-comment/src/pull-request.test.ts': ['../../../../admin'],
  'test/zulip.test.ts': ['../../admin', '../../../api/v1/users'],
};
/** This file: it holds the offending examples its last test checks the checks with. */
const thisFile = 'test/self-contained.test.ts';

const textFile = /\.(ts|mts|mjs|js|cjs|json|ya?ml|md|sh|cfg|service|txt|ejs)$|(^|\/)(Dockerfile|\.ci\/run)$/;

/** Every `../…` run in `text` that, read from `file`'s folder, lands outside the repository. */
function climbingOut(file: string, text: string): string[] {
  const found: string[] = [];
  for (const [path] of text.matchAll(/(?:\.\.\/)+[\w.@/-]*/g)) {
    const target = resolve(repoRoot, dirname(file), path);
    if (relative(repoRoot, target).split(sep)[0] === '..') found.push(path);
  }
  return found;
}

/** Absolute paths of the machines this project is written on. */
const machinePath = /(?<![\w.-])\/work\/|(?<![\w./-])\.\.\/shared\b/;

describe('the repository is self-contained', () => {
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], {
    cwd: repoRoot,
    encoding: 'utf8',
  })
    .split('\n')
    .filter((f) => f !== thisFile && textFile.test(f));

  it('finds the files to check', () => {
    expect(files).toContain('core/src/index.ts');
    expect(files).toContain('scripts/test.sh');
    expect(files.length).toBeGreaterThan(300);
  });

  it('has no relative path that climbs out of the clone', () => {
    const offenders = files.flatMap((file) => {
      const text = readFileSync(join(repoRoot, file), 'utf8');
      const out = climbingOut(file, text).filter((p) => !allowed[file]?.includes(p));
      return out.map((p) => `${file}: ${p}`);
    });
    expect(offenders).toEqual([]);
  });

  it("names no absolute path of the author's machine (/work/…, ../shared)", () => {
    const offenders = files.filter((file) => machinePath.test(readFileSync(join(repoRoot, file), 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('catches both kinds (the checks can fail)', () => {
    expect(climbingOut('test/x.test.ts', "readFileSync('../../shared/fixtures/a.json')")).toEqual([
      '../../shared/fixtures/a.json',
    ]);
    expect(climbingOut('core/src/a/b.ts', "import '../../x.js'")).toEqual([]);
    expect(machinePath.test('const f = "/work/shared/seed/x.txt"')).toBe(true);
    expect(machinePath.test('`${root}../shared/fixtures/`')).toBe(true);
    expect(machinePath.test('see shared/fixtures/buildbot-3.7/ (provenance)')).toBe(false);
  });
});
