/**
 * docs/reporters/gerrit.md cannot rot: its YAML examples load and validate with `loadConfig` (the
 * hooks.mjs of its js example beside them), the first one runs against a real sshd, and the
 * command it records for the failing buildset capture is the one the page shows.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isBbrError, loadConfig } from '@bbreporters/core';
import { createHarness } from '@bbreporters/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gerritBuildset } from './support/gerrit-events.js';
import { startFakeGerrit, type FakeGerrit } from './support/sshd.js';

const page = readFileSync(fileURLToPath(new URL('../docs/reporters/gerrit.md', import.meta.url)), 'utf8');
const plugin = fileURLToPath(new URL('../plugins/gerrit', import.meta.url));

function blocks(language: string): string[] {
  return [...page.matchAll(new RegExp('^```' + language + '\\n([\\s\\S]*?)^```$', 'gm'))].map((m) => m[1]);
}

let dir: string;
let gerrit: FakeGerrit;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bbr-gerrit-docs-'));
  writeFileSync(join(dir, 'hooks.mjs'), blocks('js')[0]);
  gerrit = await startFakeGerrit();
});

afterAll(async () => {
  await gerrit?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('docs/reporters/gerrit.md', () => {
  const yamlExamples = blocks('yaml');

  it('has YAML examples, a hooks.mjs example and the recorded command', () => {
    expect(yamlExamples.length).toBeGreaterThanOrEqual(3);
    expect(blocks('js')).toHaveLength(1);
    expect(blocks('text')).toHaveLength(1);
  });

  it.each(yamlExamples.map((text, i) => [i + 1, text] as const))('YAML example %i loads and validates', (i, text) => {
    const file = join(dir, `example-${i}.yaml`);
    writeFileSync(file, text);
    try {
      const loaded = loadConfig(file, { env: { GERRIT_HTTP_PASSWORD: 'placeholder' } });
      expect(loaded.prepared.map((r) => r.name)).toEqual(['gerrit']);
    } catch (error) {
      throw new Error(isBbrError(error) ? error.describe() : String(error));
    }
  });

  it('the hooks.mjs example works as reviewCB and summaryCB module references', () => {
    const file = join(dir, 'hooks.yaml');
    writeFileSync(
      file,
      'reporters:\n  - plugin: gerrit\n    options: { server: review.example.org, username: buildbot, reviewCB: ./hooks.mjs#review, summaryCB: ./hooks.mjs#summary }\n',
    );
    expect(loadConfig(file).prepared[0].options).toMatchObject({ reviewCB: './hooks.mjs#review' });
  });

  it('a callback whose module is missing is reported by the config check, with its place', () => {
    const file = join(dir, 'missing.yaml');
    writeFileSync(
      file,
      'reporters:\n  - plugin: gerrit\n    options: { server: review.example.org, username: buildbot, reviewCB: ./nowhere.mjs#review }\n',
    );
    let error: unknown;
    try {
      loadConfig(file);
    } catch (e) {
      error = e;
    }
    expect(isBbrError(error) && error.describe()).toMatch(/reporters\[0\]\.options\.reviewCB.*nowhere\.mjs/);
  });

  it('the first example, pointed at a real sshd, posts the summary shown on the page', async () => {
    const file = join(dir, 'example-1.yaml');
    writeFileSync(file, yamlExamples[0]);
    const loaded = loadConfig(file);
    const options = {
      ...(loaded.prepared[0].options as Record<string, unknown>),
      server: '127.0.0.1',
      port: gerrit.port,
      username: gerrit.username,
      identity_file: gerrit.identityFile,
      known_hosts: gerrit.knownHosts,
    };
    const harness = await createHarness({ plugin, options, configDir: dir });
    try {
      await harness.emit(gerritBuildset());
      await harness.drain();
      expect(harness.deliveries.map((d) => d.outcome.status)).toEqual(['sent']);
      expect(gerrit.reviews()).toEqual([blocks('text')[0].trimEnd()]);
    } finally {
      await harness.close();
    }
  });
});
