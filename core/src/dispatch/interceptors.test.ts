import { describe, expect, it } from 'vitest';
import { createLogger } from '../diagnostics/logger.js';
import { normaliseEvent } from '../events/envelope.js';
import { fixture } from '../testing/fixtures.js';
import { Dispatcher, type ActiveReporter } from './dispatcher.js';
import { interceptHooks, type DispatchInterceptor } from './hooks.js';
import { OutcomeCounter, outcomeInterceptor, outcomeTracer } from './interceptors.js';
import type { HookOutcome } from './outcomes.js';

function recordingLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger({
    secrets: new Set(),
    level: 'debug',
    destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
  });
  return { logger, lines };
}

const { logger: quiet } = recordingLogger();
const ok: ActiveReporter = {
  name: 'ok',
  hooks: ['buildFinished', 'buildStarted'],
  handlers: { buildFinished: () => {}, buildStarted: () => {} },
  timeoutMs: 1000,
  logger: quiet,
};
const broken: ActiveReporter = {
  name: 'broken',
  hooks: ['buildFinished'],
  handlers: {
    buildFinished: () => {
      throw new Error('boom');
    },
  },
  timeoutMs: 1000,
  logger: quiet,
};

describe('interceptors on the hook catalogue', () => {
  it('count outcomes per reporter and status across events and hooks', async () => {
    const counter = new OutcomeCounter();
    const dispatcher = new Dispatcher([ok, broken], {
      logger: quiet,
      interceptors: [outcomeInterceptor('counter', [counter.record], quiet)],
    });
    await dispatcher.dispatch(normaliseEvent(fixture('fail.new')));
    await dispatcher.dispatch(normaliseEvent(fixture('fail.finished')));
    expect(counter.counts()).toEqual({
      ok: { accepted: 2, skipped: 0, failed: 0, timeout: 0 },
      broken: { accepted: 0, skipped: 1, failed: 1, timeout: 0 },
    });
  });

  it('trace each outcome as a debug line', async () => {
    const { logger, lines } = recordingLogger();
    const dispatcher = new Dispatcher([ok, broken], {
      logger: quiet,
      interceptors: [outcomeInterceptor('tracing', [outcomeTracer(logger)], logger)],
    });
    await dispatcher.dispatch(normaliseEvent(fixture('fail.finished')));
    expect(lines.map((l) => [l.msg, (l.outcome as HookOutcome).reporter])).toEqual([
      ['handler accepted', 'ok'],
      ['handler failed', 'broken'],
    ]);
  });

  it('may be added through the frozen catalogue after the reporters are tapped, and one that throws never fails the dispatch', async () => {
    const { logger, lines } = recordingLogger();
    const dispatcher = new Dispatcher([ok, broken], { logger: quiet });
    expect(Object.isFrozen(dispatcher.hooks)).toBe(true);
    const seen: string[] = [];
    interceptHooks(
      dispatcher.hooks,
      outcomeInterceptor('late', [(o, event) => void seen.push(`${event.id} ${o.reporter}:${o.status}`)], logger),
    );
    interceptHooks(
      dispatcher.hooks,
      outcomeInterceptor(
        'faulty',
        [
          () => {
            throw new Error('interceptor bug');
          },
        ],
        logger,
      ),
    );
    const result = await dispatcher.dispatch(normaliseEvent(fixture('fail.finished')));
    expect(result.outcomes.map((o) => `${o.reporter}:${o.status}`)).toEqual(['ok:accepted', 'broken:failed']);
    expect(seen).toEqual(['buildFinished:2 ok:accepted', 'buildFinished:2 broken:failed']);
    expect(lines.filter((l) => l.msg === 'a hook interceptor failed; the dispatch goes on')).toHaveLength(2);
  });

  it('given to the dispatcher, are guarded: a throwing call or tap wrapper is logged, and a reporter it broke is reported failed', async () => {
    const { logger, lines } = recordingLogger();
    const careless: DispatchInterceptor = {
      name: 'careless',
      call: () => {
        throw new Error('call bug');
      },
      register: (tap) =>
        tap.name === 'broken'
          ? {
              ...tap,
              fn: async () => {
                throw new Error('wrapper bug');
              },
            }
          : tap,
    };
    const dispatcher = new Dispatcher([ok, broken], { logger, interceptors: [careless] });
    const result = await dispatcher.dispatch(normaliseEvent(fixture('fail.finished')));
    expect(result.outcomes.map((o) => `${o.reporter}:${o.status}`)).toEqual(['ok:accepted', 'broken:failed']);
    expect(result.outcomes[1].reason).toContain('a hook interceptor failed');
    expect(
      lines.filter((l) => l.interceptor === 'careless').map((l) => (l.err as { message: string }).message),
    ).toEqual(['call bug', 'wrapper bug']);
  });
});
