import { createHarness, fixtures, type Harness, type HarnessOptions } from '@bbreporters/core/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';

const pluginDir = new URL('..', import.meta.url).pathname;
let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
  vi.restoreAllMocks();
});

/** What console writes to `stream` from now on (nothing reaches the terminal). */
function capture(stream: NodeJS.WriteStream): string[] {
  const written: string[] = [];
  vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
    written.push(String(chunk));
    const done = rest.find((arg) => typeof arg === 'function');
    if (done) (done as () => void)();
    return true;
  });
  return written;
}

/** Console with `options`, fed `events` in order; resolves when every line is written. */
async function run(
  options: Record<string, unknown>,
  events: Array<Record<string, unknown>>,
  more: Partial<HarnessOptions> = {},
): Promise<Harness> {
  harness = await createHarness({ plugin: pluginDir, options, ...more });
  for (const event of events) await harness.emit(event);
  await harness.drain();
  return harness;
}

describe('console', () => {
  it('prints one line per event on standard output, in order', async () => {
    const stdout = capture(process.stdout);
    await run({}, [fixtures.pass.started(), fixtures.fail.finished(), fixtures.buildset(), fixtures.workerMissing()]);
    expect(stdout).toEqual([
      '[buildStarted] pass #1 started http://127.0.0.1:8010/#builders/1/builds/1\n',
      "[buildFinished] fail #1 FAILURE: failed 'false' (failure) http://127.0.0.1:8010/#builders/5/builds/1\n",
      '[buildsetFinished] buildset 8 FAILURE: 3 builds (pass #3 SUCCESS, fail #2 FAILURE, warn #3 WARNINGS)\n',
      '[workerMissing] worker ghost-worker missing since Mon Nov 23 19:49:45 2026 (notify: ops@example.test)\n',
    ]);
  });

  it("format: json prints each line's fields as one JSON object", async () => {
    const stdout = capture(process.stdout);
    await run({ format: 'json' }, [fixtures.pass.started(), fixtures.workerMissing()]);
    expect(stdout.map((line) => JSON.parse(line) as unknown)).toEqual([
      { event: 'buildStarted', text: 'pass #1 started', url: 'http://127.0.0.1:8010/#builders/1/builds/1' },
      {
        event: 'workerMissing',
        text: 'worker ghost-worker missing since Mon Nov 23 19:49:45 2026 (notify: ops@example.test)',
      },
    ]);
  });

  it('stream: stderr prints on standard error and nothing on standard output', async () => {
    const stdout = capture(process.stdout);
    const stderr = capture(process.stderr);
    await run({ stream: 'stderr' }, [fixtures.warn.finished()]);
    expect(stderr).toEqual([expect.stringMatching(/^\[buildFinished\] warn #1 WARNINGS: /)]);
    expect(stdout).toEqual([]);
  });

  it("delivers each line to its stream's target; a write the stream refuses fails the delivery", async () => {
    vi.spyOn(process.stdout, 'write').mockImplementation((_chunk: string | Uint8Array, ...rest: unknown[]) => {
      const done = rest.find((arg) => typeof arg === 'function');
      if (done) (done as (error: Error) => void)(new Error('EPIPE'));
      return false;
    });
    const { deliveries } = await run({}, [fixtures.pass.finished()], { delivery: { retries: 0 } });
    expect(deliveries.map((d) => [d.delivery.target, d.outcome.status, d.outcome.reason])).toEqual([
      ['stdout', 'failed', 'gave up after 1 attempt: EPIPE'],
    ]);
  });

  it("builders leaves out other builders' events, with the filter's reason", async () => {
    const stdout = capture(process.stdout);
    const { outcomes } = await run({ builders: ['pass'] }, [fixtures.fail.finished(), fixtures.pass.finished()]);
    expect(outcomes.map((o) => [o.status, o.reason])).toEqual([
      ['skipped', 'builder "fail" is not in builders'],
      ['accepted', undefined],
    ]);
    expect(stdout).toEqual([expect.stringMatching(/^\[buildFinished\] pass #1 SUCCESS/)]);
  });

  it('accepts the builders, tags, schedulers and branches filters, but not mode: it prints every result', async () => {
    await expect(createHarness({ plugin: pluginDir, options: { mode: 'failing' } })).rejects.toMatchObject({
      code: 'BBR_PLUGIN_OPTIONS',
      details: [
        expect.objectContaining({
          path: 'reporters[0].options.mode',
          message: expect.stringContaining('does not accept it'),
        }),
      ],
    });
    harness = await createHarness({
      plugin: pluginDir,
      options: { tags: ['x'], schedulers: ['s'], branches: ['main'] },
    });
    expect(harness.runtime.reporters.map((r) => r.name)).toEqual(['console']);
  });
});
