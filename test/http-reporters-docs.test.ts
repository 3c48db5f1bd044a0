/**
 * Each HTTP reporter's page has YAML examples that configure it and pass `bbreporters check`'s
 * checks (core's config loader: schema, manifest, options, module references).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkConfig } from '@bbreporters/core';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

const docs = fileURLToPath(new URL('../docs', import.meta.url));
const env = new Proxy({} as NodeJS.ProcessEnv, {
  get: (_t, name) => (typeof name === 'string' ? `placeholder-${name.toLowerCase()}` : undefined),
  has: () => true,
});

function yamlBlocks(page: string): string[] {
  return [...readFileSync(join(docs, 'reporters', page), 'utf8').matchAll(/^```ya?ml\n([\s\S]*?)^```$/gm)].map(
    (m) => m[1],
  );
}

describe.each([
  'http-status-push',
  'github',
  'gitlab',
  'bitbucket',
  'bitbucket-server',
  'gerrit-verify-status',
  'bitbucket-server-core',
  'bitbucket-server-pr-comment',
  'hipchat',
  'pushover',
  'pushjet',
  'zulip',
])('docs/reporters/%s.md', (name) => {
  it('has examples that configure the reporter and pass the config checks', () => {
    const blocks = yamlBlocks(`${name}.md`);
    expect(blocks.length).toBeGreaterThan(0);
    for (const block of blocks) {
      const loaded = checkConfig(parse(block) as unknown, { configDir: docs, env });
      expect(loaded.prepared.some((r) => r.plugin.packageName === `@bbreporters/${name}`)).toBe(true);
      for (const r of loaded.prepared.filter((p) => p.plugin.packageName === `@bbreporters/${name}`))
        expect(Object.keys(r.options).length).toBeGreaterThan(0);
    }
  });
});
