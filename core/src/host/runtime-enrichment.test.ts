import { afterEach, describe, expect, it } from 'vitest';
import type { BbEvent, BuildPayload } from '../events/events.js';
import { Runtime } from './runtime.js';
import { fixture } from '../testing/fixtures.js';
import type { Enricher, Need } from '../enrichment/enricher.js';

const pluginsDir = new URL('../../../test/fixtures/plugins/', import.meta.url).pathname;
const quiet = { write: () => {} };
let runtime: Runtime | undefined;
afterEach(async () => {
  await runtime?.close(100);
  runtime = undefined;
});

/** Records each call and marks the payload, or fails when `fail` is set. */
function recordingEnricher(fail = false): Enricher & { calls: Array<[string, Need[]]> } {
  const calls: Array<[string, Need[]]> = [];
  return {
    calls,
    async enrich(event: BbEvent, needs: ReadonlySet<Need>) {
      calls.push([event.event, [...needs].sort()]);
      if (fail) throw new Error('master unreachable');
      return { ...event, payload: { ...(event.payload as BuildPayload), blamelist: ['from-enricher'] } } as BbEvent;
    },
  };
}

describe('the runtime enriches before dispatch', () => {
  it("only events a needing reporter handles, with that reporter's needs", async () => {
    const enricher = recordingEnricher();
    runtime = await Runtime.start({
      configDir: pluginsDir,
      logDestination: quiet,
      enricher,
      reporters: [{ plugin: './needs-on-finish' }, { plugin: 'console', options: { stream: 'stderr' } }],
    });
    await runtime.emit(fixture('pass.new'));
    await runtime.emit(fixture('pass.finished'));
    expect(enricher.calls).toEqual([['buildFinished', ['prev_build', 'steps']]]);
  });

  it('a failing enricher leaves the event as it came, and it is still dispatched', async () => {
    const logs: string[] = [];
    const enricher = recordingEnricher(true);
    runtime = await Runtime.start({
      configDir: pluginsDir,
      logDestination: { write: (l: string) => void logs.push(l) },
      enricher,
      reporters: [{ plugin: './needs-on-finish' }],
    });
    const result = await runtime.emit(fixture('fail.finished'));
    expect(result.outcomes.map((o) => o.status)).toEqual(['accepted']);
    expect(logs.join('')).toContain('enrichment failed; dispatching the event as it came');
  });

  it('without needing reporters the enricher is never asked', async () => {
    const enricher = recordingEnricher();
    runtime = await Runtime.start({
      configDir: pluginsDir,
      logDestination: quiet,
      enricher,
      reporters: [{ plugin: 'console', options: { stream: 'stderr' } }],
    });
    await runtime.emit(fixture('pass.finished'));
    expect(enricher.calls).toEqual([]);
  });
});
