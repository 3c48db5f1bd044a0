/**
 * The set-up every HTTP reporter test shares: a harness for the plugin with quick retries, fed the
 * test's events and drained, then closed after the test together with the test's server.
 */
import { createHarness, type Harness, type HarnessOptions, type RecordingServer } from '@bbreporters/core/testing';
import { afterEach } from 'vitest';

/** Retries in milliseconds, so retry tests run fast. */
export const quickDelivery = { baseDelayMs: 10, maxDelayMs: 40, retries: 4 };

export interface ReporterSession {
  /** A harness with the session's default options plus `options`, `events` emitted in order, deliveries drained. */
  run(
    options: Record<string, unknown>,
    events: Array<Record<string, unknown>>,
    extra?: Partial<HarnessOptions>,
  ): Promise<Harness>;
  /** Closes `harness` after the test (for a test that creates its own). */
  track(harness: Harness): Harness;
  /** The harness `run` or `track` last gave. */
  current(): Harness | undefined;
}

export function reporterSession(setup: {
  plugin: string;
  /** The test's server, closed after each test. */
  server: () => RecordingServer | undefined;
  /** Options every run starts from (the server's URL, credentials). */
  options: () => Record<string, unknown>;
}): ReporterSession {
  let harness: Harness | undefined;
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
    await setup.server()?.close();
  });
  const track = (h: Harness) => (harness = h);
  return {
    track,
    current: () => harness,
    async run(options, events, extra = {}) {
      const h = track(
        await createHarness({
          plugin: setup.plugin,
          options: { ...setup.options(), ...options },
          delivery: quickDelivery,
          ...extra,
        }),
      );
      for (const event of events) await h.emit(event);
      await h.drain();
      return h;
    },
  };
}
