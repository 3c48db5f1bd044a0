import { describe, expect, it } from 'vitest';
import { createLogger } from '../diagnostics/logger.js';
import { normaliseEvent } from '../events/envelope.js';
import type { BbEvent, BuildFinishedEvent } from '../events/events.js';
import { fixture } from '../testing/fixtures.js';
import { Dispatcher, type ActiveReporter } from './dispatcher.js';

const logger = createLogger({ secrets: new Set(), level: 'silent' });

function reporter(name: string, buildFinished: (event: BuildFinishedEvent) => void): ActiveReporter {
  return { name, hooks: ['buildFinished'], handlers: { buildFinished }, timeoutMs: 1000, logger };
}

describe('events are read-only for reporters', () => {
  it('a handler that changes the event fails with a reason saying so; the next reporter sees the event as it came', async () => {
    const seen: Array<{ results: unknown; steps: number; name: unknown }> = [];
    const dispatcher = new Dispatcher(
      [
        reporter('mutator', (event) => {
          (event.payload as { results: number }).results = 0;
        }),
        reporter('pusher', (event) => {
          (event.payload.steps ?? []).push({ name: 'injected' } as never);
        }),
        reporter('deleter', (event) => {
          delete (event.payload.builder as { name?: string }).name;
        }),
        reporter(
          'reader',
          (event) =>
            void seen.push({
              results: event.payload.results,
              steps: event.payload.steps?.length ?? 0,
              name: event.payload.builder?.name,
            }),
        ),
      ],
      { logger },
    );
    const event: BbEvent = normaliseEvent(fixture('fail.finished'));
    const result = await dispatcher.dispatch(event);

    const by = Object.fromEntries(result.outcomes.map((o) => [o.reporter, o]));
    for (const name of ['mutator', 'pusher', 'deleter']) {
      expect(by[name].status).toBe('failed');
      expect(by[name].reason).toContain('the handler changed the event, which is read-only');
      expect(by[name].reason).toContain('structuredClone');
    }
    expect(by.reader.status).toBe('accepted');
    expect(seen).toEqual([{ results: 2, steps: 2, name: 'fail' }]);
  });

  it('a handler may change its own copy of the event', async () => {
    const copies: unknown[] = [];
    const dispatcher = new Dispatcher(
      [
        reporter('copier', (event) => {
          const copy = structuredClone(event);
          copy.payload.results = 0;
          copies.push(copy.payload.results);
        }),
      ],
      { logger },
    );
    const result = await dispatcher.dispatch(normaliseEvent(fixture('fail.finished')));
    expect(result.outcomes.map((o) => o.status)).toEqual(['accepted']);
    expect(copies).toEqual([0]);
  });
});
