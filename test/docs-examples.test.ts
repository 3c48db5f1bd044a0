/**
 * Docs cannot rot: every ```yaml block in docs/, the README and each plugin's README is a complete config file that
 * passes the same checks as `bbreporters check` (schema, plugin manifests, plugin options,
 * module references), with `${NAME}` references given placeholder values.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { checkConfig } from '../core/src/config/load.js';
import { isBbrError } from '../core/src/diagnostics/errors.js';

const repo = new URL('..', import.meta.url).pathname;
const docsDir = join(repo, 'docs');

function markdownFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return markdownFiles(path);
    return entry.endsWith('.md') ? [path] : [];
  });
}

interface Example {
  file: string;
  line: number;
  text: string;
}

function yamlBlocks(file: string): Example[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const out: Example[] = [];
  for (let i = 0; i < lines.length; i++) {
    // ```yaml file=NAME: a file the page has the reader write (docs-walk writes it too).
    if (!/^\s*```ya?ml(\s+file=\S+)?\s*$/.test(lines[i])) continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && !/^\s*```\s*$/.test(lines[end])) end++;
    out.push({ file: relative(repo, file), line: start + 1, text: lines.slice(start, end).join('\n') });
    i = end;
  }
  return out;
}

const pluginReadmes = readdirSync(join(repo, 'plugins')).map((plugin) => join(repo, 'plugins', plugin, 'README.md'));
const examples = [...markdownFiles(docsDir), join(repo, 'README.md'), ...pluginReadmes].flatMap(yamlBlocks);
/** Every ${NAME} gets a harmless value so the example is checked as written. */
const placeholderEnv = new Proxy({} as NodeJS.ProcessEnv, {
  get: (_t, name) => (typeof name === 'string' ? `placeholder-${name.toLowerCase()}` : undefined),
  has: () => true,
});

describe('YAML examples in the docs', () => {
  it('there are examples to check, one in each plugin README at least', () => {
    expect(examples.length).toBeGreaterThan(0);
    for (const readme of pluginReadmes) expect(examples.map((e) => e.file)).toContain(relative(repo, readme));
  });

  it.each(examples.map((e) => [`${e.file}:${e.line}`, e] as const))('%s is a valid config', (_where, example) => {
    const data = parse(example.text) as unknown;
    try {
      // A plugin README's example resolves its plugin from the plugin's folder, as an installed package's would.
      const configDir = example.file.startsWith('plugins/') ? join(repo, dirname(example.file)) : docsDir;
      checkConfig(data, { configDir, env: placeholderEnv, displayName: `${example.file}:${example.line}` });
    } catch (error) {
      if (!isBbrError(error)) throw error;
      throw new Error(`${example.file}:${example.line}: ${error.describe()}`);
    }
  });
});
