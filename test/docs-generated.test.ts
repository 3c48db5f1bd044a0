import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ESM script without types
import { staleDocs } from '../scripts/gen-docs.mjs';

const repo = new URL('..', import.meta.url).pathname;

function markdownFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return markdownFiles(path);
    return entry.endsWith('.md') ? [path] : [];
  });
}

describe('generated docs', () => {
  it('the error catalogue, config reference and reporter option tables (docs/ and plugin READMEs) match their sources (run `npm run docs`)', async () => {
    expect(await (staleDocs as () => Promise<string[]>)()).toEqual([]);
  });

  it('every relative link in docs/ and the README points at a file that exists', () => {
    const broken: string[] = [];
    for (const file of [...markdownFiles(join(repo, 'docs')), join(repo, 'README.md')].filter(existsSync)) {
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = match[1];
        if (/^[a-z]+:/i.test(target) || target.startsWith('#')) continue;
        const path = resolve(dirname(file), target.split('#')[0]);
        if (!existsSync(path)) broken.push(`${relative(repo, file)} → ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it("each plugin's README stands alone once installed: an example, the options table, no relative link out of the package", () => {
    for (const plugin of readdirSync(join(repo, 'plugins'))) {
      const dir = join(repo, 'plugins', plugin);
      const text = readFileSync(join(dir, 'README.md'), 'utf8');
      expect(text, plugin).toMatch(/^```yaml$/m);
      expect(text, plugin).toMatch(/<!-- options:begin [^\n]*-->\n\| option \| type \| default \| description \|/);
      for (const match of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = match[1];
        if (/^[a-z]+:/i.test(target) || target.startsWith('#')) continue;
        const path = resolve(dir, target.split('#')[0]);
        expect(relative(dir, path), `${plugin}/README.md → ${target}`).not.toMatch(/^\.\./);
        expect(existsSync(path), `${plugin}/README.md → ${target}`).toBe(true);
      }
    }
  });
});
