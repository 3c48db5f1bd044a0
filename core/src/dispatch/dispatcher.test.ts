import { describe, expect, it } from 'vitest';
import { normaliseEvent } from '../events/envelope.js';
import { eventNames, type BbEvent, type BuildStartedEvent } from '../events/events.js';
import type { ReporterHandlers } from '../plugin-api.js';
import { fixture, type FixtureName } from '../testing/fixtures.js';
import { recordingLogger, type RecordingLogger } from '../testing/logger.js';
import { Dispatcher, type ActiveReporter } from './dispatcher.js';

const event = (name: FixtureName): BbEvent => normaliseEvent(fixture(name));
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

type TestReporter = ActiveReporter & { logger: RecordingLogger };

/** A reporter as the runtime would hand it over, with plain functions as handlers. */
function reporter(
  name: string,
  handlers: ReporterHandlers,
  more: Pick<ActiveReporter, 'skipReason'> & { timeoutMs?: number } = {},
): TestReporter {
  return {
    name,
    hooks: eventNames.filter((hook) => handlers[hook]),
    handlers,
    timeoutMs: 1000,
    logger: recordingLogger(),
    ...more,
  };
}

const dispatcherOf = (reporters: ActiveReporter[], options: { dedupeWindow?: number; shutdown?: AbortSignal } = {}) => {
  const logger = recordingLogger();
  return { dispatcher: new Dispatcher(reporters, { logger, ...options }), logger };
};

describe('isolation: one reporter misbehaving never affects the others', () => {
  it('a throwing, a rejecting and a hanging reporter each get their own outcome; the others are called, and dispatch ends at the handler timeout', async () => {
    const called: string[] = [];
    const thrower = reporter('thrower', {
      buildFinished: () => {
        throw new Error('boom from a throwing handler');
      },
    });
    const { dispatcher } = dispatcherOf([
      thrower,
      reporter('rejecter', { buildFinished: () => Promise.reject(new Error('rejected on purpose')) }),
      reporter('hanger', { buildFinished: () => new Promise<void>(() => undefined) }, { timeoutMs: 100 }),
      reporter('fine', { buildFinished: () => void called.push('fine') }),
    ]);
    const failed = event('fail.finished');
    const started = Date.now();
    const result = await dispatcher.dispatch(failed);
    expect(Date.now() - started).toBeLessThan(100 + 150);
    expect(result.outcomes.map((o) => [o.reporter, o.hook, o.status, o.reason])).toEqual([
      ['thrower', 'buildFinished', 'failed', 'boom from a throwing handler'],
      ['rejecter', 'buildFinished', 'failed', 'rejected on purpose'],
      ['hanger', 'buildFinished', 'timeout', 'did not settle within 100 ms'],
      ['fine', 'buildFinished', 'accepted', undefined],
    ]);
    expect(called).toEqual(['fine']);
    expect(thrower.logger.messages('error')).toEqual(['handler failed']);
  });

  it('gives one outcome per reporter in config order, whatever order the handlers finish in', async () => {
    const finished: string[] = [];
    const { dispatcher } = dispatcherOf([
      reporter('slow', { buildStarted: () => sleep(50).then(() => void finished.push('slow')) }),
      reporter('quick', { buildStarted: () => void finished.push('quick') }),
    ]);
    const result = await dispatcher.dispatch(event('pass.new'));
    expect(finished).toEqual(['quick', 'slow']);
    expect(result).toMatchObject({ eventId: 'buildStarted:1', event: 'buildStarted', duplicate: false });
    expect(result.outcomes.map((o) => `${o.reporter}:${o.status}`)).toEqual(['slow:accepted', 'quick:accepted']);
  });

  it("aborts running handlers' signals when core shuts down", async () => {
    const shutdown = new AbortController();
    let reason: unknown;
    const { dispatcher } = dispatcherOf(
      [
        reporter('waiter', {
          buildStarted: (_event, { signal }) =>
            new Promise<void>((resolve) =>
              signal.addEventListener('abort', () => {
                reason = signal.reason;
                resolve();
              }),
            ),
        }),
      ],
      { shutdown: shutdown.signal },
    );
    const pending = dispatcher.dispatch(event('pass.new'));
    await sleep(20);
    shutdown.abort();
    expect((await pending).outcomes[0].status).toBe('accepted');
    expect(reason).toBeInstanceOf(Error);
    expect((reason as Error).message).toBe('core is shutting down');
  });
});

describe('ordering', () => {
  const logged = (log: string[], delayMs: number) => async (e: BbEvent) => {
    log.push(`${e.event} start`);
    await sleep(delayMs);
    log.push(`${e.event} end`);
  };

  it("a build's started event reaches a reporter before its finished event, even when the started handler is slow", async () => {
    const log: string[] = [];
    const { dispatcher } = dispatcherOf([
      reporter('r', { buildStarted: logged(log, 100), buildFinished: logged(log, 0) }),
    ]);
    await Promise.all([dispatcher.dispatch(event('pass.new')), dispatcher.dispatch(event('pass.finished'))]);
    expect(log).toEqual(['buildStarted start', 'buildStarted end', 'buildFinished start', 'buildFinished end']);
  });

  it('events of different builds reach a reporter at once', async () => {
    const log: string[] = [];
    const handler = async (e: BuildStartedEvent) => {
      log.push(`${e.payload.builder.name} start`);
      await sleep(50);
      log.push(`${e.payload.builder.name} end`);
    };
    const { dispatcher } = dispatcherOf([reporter('r', { buildStarted: handler })]);
    await Promise.all([
      dispatcher.dispatch(event('pass.new')),
      dispatcher.dispatch(event('fail.new')),
      dispatcher.dispatch(event('warn.new')),
    ]);
    expect(log.slice(0, 3)).toEqual(['pass start', 'fail start', 'warn start']);
  });

  it("orders per reporter: one reporter's slow started handler does not hold back another reporter's finished handler", async () => {
    const log: string[] = [];
    const { dispatcher } = dispatcherOf([
      reporter('slow', {
        buildStarted: () => sleep(100).then(() => void log.push('slow started')),
        buildFinished: () => void log.push('slow finished'),
      }),
      reporter('quick', {
        buildStarted: () => void log.push('quick started'),
        buildFinished: () => void log.push('quick finished'),
      }),
    ]);
    await Promise.all([dispatcher.dispatch(event('pass.new')), dispatcher.dispatch(event('pass.finished'))]);
    expect(log).toEqual(['quick started', 'quick finished', 'slow started', 'slow finished']);
  });
});

describe('duplicates', () => {
  it('drops a duplicate event (same id) without calling any handler, and logs it', async () => {
    const calls: string[] = [];
    const { dispatcher, logger } = dispatcherOf([reporter('r', { buildFinished: (e) => void calls.push(e.id) })]);
    expect((await dispatcher.dispatch(event('fail.finished'))).duplicate).toBe(false);
    expect(await dispatcher.dispatch(event('fail.finished'))).toEqual({
      eventId: 'buildFinished:2',
      event: 'buildFinished',
      duplicate: true,
      outcomes: [],
    });
    expect(calls).toEqual(['buildFinished:2']);
    expect(logger.messages('info')).toContain('duplicate event dropped');
  });

  it('remembers only the last dedupeWindow event ids', async () => {
    const calls: string[] = [];
    const { dispatcher } = dispatcherOf([reporter('r', { buildFinished: (e) => void calls.push(e.id) })], {
      dedupeWindow: 2,
    });
    for (const name of ['pass.finished', 'fail.finished', 'warn.finished'] as const)
      await dispatcher.dispatch(event(name));
    expect((await dispatcher.dispatch(event('pass.finished'))).duplicate).toBe(false);
    expect((await dispatcher.dispatch(event('pass.finished'))).duplicate).toBe(true);
    expect(calls).toEqual(['buildFinished:1', 'buildFinished:2', 'buildFinished:3', 'buildFinished:1']);
  });
});

describe('skipped reporters', () => {
  it('skips a reporter without a handler for the event, naming the event', async () => {
    const { dispatcher } = dispatcherOf([
      reporter('builds-only', { buildStarted: () => undefined, buildFinished: () => undefined }),
    ]);
    const result = await dispatcher.dispatch(event('worker-missing'));
    expect(result.outcomes).toEqual([
      {
        reporter: 'builds-only',
        hook: 'workerMissing',
        eventId: result.eventId,
        status: 'skipped',
        reason: 'does not handle workerMissing',
        durationMs: 0,
      },
    ]);
  });

  it("skips a reporter its filter leaves out, with the filter's reason, without calling its handler", async () => {
    const calls: string[] = [];
    const { dispatcher } = dispatcherOf([
      reporter(
        'pass-only',
        { buildFinished: (e) => void calls.push(e.id) },
        {
          skipReason: async (e) =>
            e.event === 'buildFinished' && e.payload.builder.name !== 'pass'
              ? `builder ${e.payload.builder.name} is not in builders`
              : undefined,
        },
      ),
    ]);
    const failed = await dispatcher.dispatch(event('fail.finished'));
    const passed = await dispatcher.dispatch(event('pass.finished'));
    expect(failed.outcomes[0]).toMatchObject({ status: 'skipped', reason: 'builder fail is not in builders' });
    expect(passed.outcomes[0]).toMatchObject({ status: 'accepted' });
    expect(calls).toEqual(['buildFinished:1']);
  });

  it('fails only the reporter whose filter throws, with the error as the reason, and logs it on that reporter', async () => {
    const broken = reporter(
      'broken-filter',
      { buildFinished: () => undefined },
      {
        skipReason: () => {
          throw new Error('bad filter');
        },
      },
    );
    const { dispatcher } = dispatcherOf([broken, reporter('other', { buildFinished: () => undefined })]);
    const result = await dispatcher.dispatch(event('pass.finished'));
    expect(result.outcomes.map((o) => [o.reporter, o.status, o.reason])).toEqual([
      ['broken-filter', 'failed', 'filter failed: Error: bad filter'],
      ['other', 'accepted', undefined],
    ]);
    expect(broken.logger.messages('error')).toEqual(['filter failed']);
  });
});
