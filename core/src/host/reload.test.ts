import { describe, expect, it } from 'vitest';
import type { PreparedReporter } from '../loader/prepare.js';
import { planReload, restartOnlyChanges, type ReporterEntry } from './reload.js';

/** An entry as prepareReporters would give it: only what the plan compares is filled in. */
function entry(
  name: string,
  options: Record<string, unknown>,
  more: Partial<PreparedReporter['spec']> = {},
  timeoutMs = 30_000,
): ReporterEntry {
  const prepared = {
    name,
    spec: { plugin: 'http-status-push', name, options, ...more },
    plugin: {
      spec: 'http-status-push',
      packageName: '@bbreporters/http-status-push',
      dir: '/plugins/hsp',
      packageJson: {},
    },
    manifest: { apiVersion: 1, hooks: [] },
    options,
    filters: {},
    secrets: new Set<string>(),
  } as unknown as PreparedReporter;
  return { prepared, timeoutMs };
}

describe('planReload', () => {
  it('sorts reporters by name into unchanged, changed, added and removed', () => {
    const plan = planReload(
      [
        entry('same', { a: 1, b: 2 }, { location: 'x.yaml:3:5' }),
        entry('moved', { url: 'http://a/' }),
        entry('gone', {}),
      ],
      [
        entry('moved', { url: 'http://b/' }),
        entry('same', { b: 2, a: 1 }, { location: 'x.yaml:9:5' }),
        entry('new', {}),
      ],
    );
    expect(plan).toEqual({ unchanged: ['same'], changed: ['moved'], added: ['new'], removed: ['gone'] });
  });

  it('counts delivery settings, TLS and the handler timeout in effect as part of the entry', () => {
    const before = [entry('r', {})];
    expect(planReload(before, [entry('r', {}, { delivery: { retries: 1 } })]).changed).toEqual(['r']);
    expect(planReload(before, [entry('r', {}, { tls: { verify: false } })]).changed).toEqual(['r']);
    expect(planReload(before, [entry('r', {}, {}, 5000)]).changed).toEqual(['r']);
    expect(planReload(before, [entry('r', {})]).unchanged).toEqual(['r']);
  });
});

describe('restartOnlyChanges', () => {
  it('names the top-level settings only a restart applies, not the reporters or the timeouts', () => {
    const running = { sources: [{ type: 'http' as const }], title: 'A', handlerTimeout: 1, reporters: [] };
    expect(restartOnlyChanges(running, { ...running, handlerTimeout: 2, reporters: [{ plugin: 'console' }] })).toEqual(
      [],
    );
    expect(
      restartOnlyChanges(running, {
        ...running,
        title: 'B',
        stateDir: 'elsewhere',
        sources: [{ type: 'http', listen: ':1' }],
      }),
    ).toEqual(['sources', 'stateDir', 'title']);
  });
});
