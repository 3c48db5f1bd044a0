import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { HandlerOptions } from '../plugin-api.js';
import { recordingLogger } from '../testing/logger.js';
import { handlerScope, noteDelivery, noteSkip, runGuarded } from './isolation.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs `handler` guarded, as the dispatcher does for reporter "r" and event "e1". */
function guarded(
  handler: (event: string, options: HandlerOptions) => unknown,
  more: { timeoutMs?: number; shutdown?: AbortSignal } = {},
) {
  const logger = recordingLogger();
  const outcome = runGuarded({
    reporter: 'r',
    hook: 'buildFinished',
    eventId: 'e1',
    timeoutMs: 1000,
    handler,
    event: 'the event',
    logger,
    ...more,
  });
  return { outcome, logger };
}

describe('runGuarded', () => {
  it('accepts a handler that returns or resolves, and hands it the event', async () => {
    const seen: string[] = [];
    const returned = guarded((event) => void seen.push(event));
    const resolved = guarded(async (event) => void seen.push(event));
    expect(await returned.outcome).toMatchObject({
      reporter: 'r',
      hook: 'buildFinished',
      eventId: 'e1',
      status: 'accepted',
    });
    expect((await resolved.outcome).status).toBe('accepted');
    expect(seen).toEqual(['the event', 'the event']);
  });

  it("fails a handler that throws or rejects, with the error's message as reason, and logs it", async () => {
    const thrown = guarded(() => {
      throw new TypeError('bad input');
    });
    const rejected = guarded(() => Promise.reject(new Error('nope')));
    expect(await thrown.outcome).toMatchObject({ status: 'failed', reason: 'TypeError: bad input' });
    expect(await rejected.outcome).toMatchObject({ status: 'failed', reason: 'nope' });
    expect(thrown.logger.messages('error')).toEqual(['handler failed']);
  });

  it('times out a handler that does not settle, aborting its signal with the reason', async () => {
    let reason: unknown;
    const { outcome, logger } = guarded(
      (_event, { signal }) =>
        new Promise<void>(() => {
          signal.addEventListener('abort', () => (reason = signal.reason));
        }),
      { timeoutMs: 50 },
    );
    expect(await outcome).toMatchObject({ status: 'timeout', reason: 'did not settle within 50 ms' });
    expect((reason as Error).message).toBe('handler timed out after 50 ms');
    expect(logger.messages('error')).toEqual(['handler timed out']);
  });

  it('keeps the timeout outcome of a handler that settles later, and logs the late settle', async () => {
    const { outcome, logger } = guarded(() => sleep(100), { timeoutMs: 30 });
    expect((await outcome).status).toBe('timeout');
    await sleep(120);
    expect(logger.messages('warn')).toEqual(['handler settled after its timeout; its outcome stays "timeout"']);
  });

  it("aborts a running handler's signal when core shuts down, and at once when it already has", async () => {
    const shutdown = new AbortController();
    const reasons: string[] = [];
    const waitForAbort = (_event: string, { signal }: HandlerOptions) =>
      new Promise<void>((resolve) => {
        if (signal.aborted) return resolve(void reasons.push(`at once: ${(signal.reason as Error).message}`));
        signal.addEventListener('abort', () =>
          resolve(void reasons.push(`later: ${(signal.reason as Error).message}`)),
        );
      });
    const running = guarded(waitForAbort, { shutdown: shutdown.signal });
    await sleep(10);
    shutdown.abort();
    expect((await running.outcome).status).toBe('accepted');
    expect((await guarded(waitForAbort, { shutdown: shutdown.signal }).outcome).status).toBe('accepted');
    expect(reasons).toEqual(['later: core is shutting down', 'at once: core is shutting down']);
  });

  it('leaves no listener on the shutdown signal once handlers that read their signal are decided', async () => {
    const shutdown = new AbortController();
    const readers = [
      guarded((_event, { signal }) => void signal.aborted, { shutdown: shutdown.signal }),
      guarded(async (_event, { signal }) => void (await sleep(1), signal.aborted), { shutdown: shutdown.signal }),
      guarded(
        (_event, { signal }) => {
          void signal.aborted;
          throw new Error('after reading');
        },
        { shutdown: shutdown.signal },
      ),
    ];
    const statuses = await Promise.all(readers.map(async (r) => (await r.outcome).status));
    expect(statuses).toEqual(['accepted', 'accepted', 'failed']);
    expect(getEventListeners(shutdown.signal, 'abort')).toHaveLength(0);
  });

  it('runs the handler inside handlerScope, so a delivery it makes knows its event and reporter', async () => {
    let scope: unknown;
    await guarded(async () => {
      await sleep(1);
      scope = handlerScope.getStore();
    }).outcome;
    expect(scope).toMatchObject({ eventId: 'e1', reporter: 'r' });
  });

  it('a handler that delivers nothing and says why is skipped with its reasons; one that also delivers is accepted with them', async () => {
    const none = await guarded(async () => {
      await sleep(1);
      noteSkip('no recipients');
      noteSkip('stamp 2 names no commit');
    }).outcome;
    expect(none).toMatchObject({
      status: 'skipped',
      reason: 'no recipients; stamp 2 names no commit',
      skips: ['no recipients', 'stamp 2 names no commit'],
    });
    const some = await guarded(() => {
      noteDelivery('d1');
      noteSkip('stamp 2 names no commit');
    }).outcome;
    expect(some).toMatchObject({ status: 'accepted', skips: ['stamp 2 names no commit'], deliveries: ['d1'] });
    expect(some.reason).toBeUndefined();
    expect((await guarded(() => noteDelivery('d2')).outcome).skips).toBeUndefined();
  });

  it('a skip outside any handler is not recorded', () => {
    expect(noteSkip('no handler')).toBe(false);
  });
});
