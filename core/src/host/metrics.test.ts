import { describe, expect, it } from 'vitest';
import { HttpSource } from '../sources/http.js';
import type { ConnectionState, Source } from '../sources/source.js';
import { recordingLogger } from '../testing/logger.js';
import { ServiceMetrics } from './metrics.js';

const sample = (text: string, series: string) =>
  text
    .split('\n')
    .find((line) => line.startsWith(`${series} `))
    ?.split(' ')[1];

describe('ServiceMetrics', () => {
  it("reads a connected source's state at each scrape: up 1, then down 0", async () => {
    let state: ConnectionState = { up: true, lastMessageAt: Date.now() - 5000 };
    const source: Source = {
      type: 'buildbot',
      start: async () => {},
      close: async () => {},
      connectionState: () => state,
    };
    const metrics = new ServiceMetrics(recordingLogger());
    metrics.watchSources([source]);
    let { text } = await metrics.scrape();
    expect(sample(text, 'bbreporters_source_connected{source="buildbot"}')).toBe('1');
    expect(
      Number(sample(text, 'bbreporters_source_last_message_age_seconds{source="buildbot"}')),
    ).toBeGreaterThanOrEqual(5);
    state = { up: false, lastMessageAt: state.lastMessageAt };
    ({ text } = await metrics.scrape());
    expect(sample(text, 'bbreporters_source_connected{source="buildbot"}')).toBe('0');
  });

  it('keeps each service its own registry', async () => {
    const one = new ServiceMetrics(recordingLogger());
    const two = new ServiceMetrics(recordingLogger());
    const source: Source = { type: 'http', start: async () => {}, close: async () => {} };
    await one.countingSink(source, async () => ({
      eventId: 'e',
      event: 'buildStarted',
      duplicate: false,
      outcomes: [],
    }))({});
    expect(
      sample((await one.scrape()).text, 'bbreporters_events_received_total{kind="buildStarted",source="http"}'),
    ).toBe('1');
    expect(
      sample((await two.scrape()).text, 'bbreporters_events_received_total{kind="buildStarted",source="http"}'),
    ).toBeUndefined();
  });

  it('is open on a loopback http source without credentials, like /healthz, and GET only', async () => {
    const metrics = new ServiceMetrics(recordingLogger());
    const source = new HttpSource({ type: 'http', listen: '127.0.0.1:0' }, recordingLogger(), [metrics.endpoint]);
    await source.start(async () => ({}) as never);
    try {
      const url = new URL('/metrics', source.address().url);
      const res = await fetch(url);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('# TYPE bbreporters_events_received_total counter');
      const post = await fetch(url, { method: 'POST' });
      expect(post.status).toBe(405);
      expect(post.headers.get('allow')).toBe('GET, HEAD');
    } finally {
      await source.close();
    }
  });
});
