import { afterEach, describe, expect, it } from 'vitest';
import { normaliseEvent } from '../events/envelope.js';
import type { BbEvent } from '../events/events.js';
import { Runtime } from '../host/runtime.js';
import { fixture } from '../testing/fixtures.js';
import { unmetNeeds } from './unmet-needs.js';

const all = new Set(['steps', 'logs', 'log_contents'] as const);
const withoutSteps = () => {
  const body = structuredClone(fixture('pass.finished')) as Record<string, unknown>;
  delete body.steps;
  return body;
};

describe('unmetNeeds', () => {
  it('names what the builds lack among the needs asked for', () => {
    expect(unmetNeeds(normaliseEvent(withoutSteps()), all)).toEqual(['steps', 'logs', 'log_contents']);
    expect(unmetNeeds(normaliseEvent(withoutSteps()), new Set(['prev_build']))).toEqual([]);
    const event = normaliseEvent(withoutSteps());
    const steps = [{ stepid: 1, logs: [{ logid: 1, name: 'stdio' }] }];
    const withLogs = { ...event, payload: { ...event.payload, steps } } as unknown as BbEvent;
    expect(unmetNeeds(withLogs, all)).toEqual(['log_contents']);
  });
});

describe('a runtime without an enricher', () => {
  const pluginsDir = new URL('../../../test/fixtures/plugins/', import.meta.url).pathname;
  let runtime: Runtime | undefined;
  afterEach(async () => {
    await runtime?.close(100);
    runtime = undefined;
  });

  it('warns once per reporter that its builds lack the logs it needs, naming buildbotAPI', async () => {
    const lines: Array<{ level: number; msg: string; reporter?: string }> = [];
    runtime = await Runtime.start({
      configDir: pluginsDir,
      logDestination: { write: (line: string) => void lines.push(JSON.parse(line) as (typeof lines)[number]) },
      reporters: [
        { plugin: './narrowing', name: 'wants-logs' },
        { plugin: './narrowing', name: 'wants-nothing', options: { needs: [] } },
      ],
    });
    await runtime.emit(withoutSteps());
    await runtime.emit({ ...withoutSteps(), buildid: 2 });
    const warnings = lines.filter((l) => l.level === 40);
    expect(warnings.map((w) => w.reporter)).toEqual(['wants-logs']);
    expect(warnings[0].msg).toMatch(/reporter "wants-logs" needs the builds' steps, logs, .*set buildbotAPI\.url/);
  });
});
