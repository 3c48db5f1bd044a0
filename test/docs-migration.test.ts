/**
 * docs/buildbot-migration.md promises a YAML key for every Buildbot argument: each key it names must
 * exist in that reporter's options schema or be one of core's filters its manifest accepts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const repo = new URL('..', import.meta.url).pathname;
const doc = readFileSync(`${repo}docs/buildbot-migration.md`, 'utf8');

const sections = [...doc.matchAll(/^## .*`plugin: ([\w-]+)`\n([\s\S]*?)(?=^## |$(?![\s\S]))/gm)].map(
  ([, plugin, body]) => ({
    plugin,
    keys: [...body.matchAll(/^\| `[^`]+` \| `options\.([\w]+)` \|/gm)].map((m) => m[1]),
  }),
);

describe('the master.cfg → YAML table', () => {
  it('covers every reporter package', () => {
    // Every reporter package but console, which has no Buildbot counterpart.
    const reporters = readdirSync(`${repo}plugins`).filter((p) => p !== 'console');
    expect(sections.map((s) => s.plugin).sort()).toEqual(reporters.sort());
  });

  it.each(sections.map((s) => [s.plugin, s] as const))(
    'every key named for %s exists in its schema or filters',
    (plugin, section) => {
      const schema = JSON.parse(readFileSync(`${repo}plugins/${plugin}/schema/options.schema.json`, 'utf8')) as {
        properties: Record<string, unknown>;
      };
      const manifest = (
        JSON.parse(readFileSync(`${repo}plugins/${plugin}/package.json`, 'utf8')) as {
          bbreporter: { filters?: string[] };
        }
      ).bbreporter;
      const known = new Set([...Object.keys(schema.properties), ...(manifest.filters ?? [])]);
      expect(section.keys.length).toBeGreaterThan(0);
      expect(section.keys.filter((k) => !known.has(k))).toEqual([]);
    },
  );
});
