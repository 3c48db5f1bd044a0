/**
 * `GET /metrics` of a real service: events posted to its http source, two reporters whose remotes
 * answer 500 then 200 (sent after a retry) and 401 (failed for good); the scrape is parsed and
 * every series checked.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { httpStatusPushDir, startService, tempDir, type RunningService } from './support/bbreporters-cli.js';
import { parsePrometheusText } from './support/prometheus-text.js';
import { httpStatusPushEntry, scriptedRemote } from './support/scripted-remote.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

describe('GET /metrics', () => {
  it('counts events, outcomes and deliveries, behind the ingest token', async () => {
    const flaky = await scriptedRemote((n) => (n === 0 ? 500 : 200));
    const denied = await scriptedRemote(() => 401);
    cleanups.push(
      () => flaky.server.close(),
      () => denied.server.close(),
    );
    const dir = tempDir();
    const config = join(dir, 'config.yaml');
    writeFileSync(
      config,
      `sources:\n  - type: http\n    listen: 127.0.0.1:0\n    token: s3cret\nreporters:\n${httpStatusPushEntry('flaky', flaky.url)}${httpStatusPushEntry('denied', denied.url)}`,
    );
    const service: RunningService = await startService(config);
    cleanups.push(() => service.stop());
    const base = new URL(service.url);
    const auth = { authorization: 'Bearer s3cret' };
    const posted = await fetch(service.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth },
      body: readFileSync(join(httpStatusPushDir, 'change-fail.finished.json'), 'utf8'),
    });
    expect(posted.status).toBe(200);

    expect((await fetch(new URL('/metrics', base))).status).toBe(401);
    const scrape = async () => {
      const res = await fetch(new URL('/metrics', base), { headers: auth });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      return parsePrometheusText(await res.text());
    };
    let m = await scrape();
    for (let i = 0; i < 100 && m.get('bbreporters_delivery_queue_depth{reporter="flaky"}') !== 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
      m = await scrape();
    }
    expect(m.get('bbreporters_events_received_total{kind="buildFinished",source="http"}')).toBe(1);
    expect(m.get('bbreporters_handler_outcomes_total{reporter="flaky",status="accepted"}')).toBe(1);
    expect(m.get('bbreporters_handler_outcomes_total{reporter="denied",status="accepted"}')).toBe(1);
    expect(m.get('bbreporters_deliveries_sent_total{reporter="flaky"}')).toBe(1);
    expect(m.get('bbreporters_delivery_attempts_failed_total{reporter="flaky"}')).toBe(1);
    expect(m.get('bbreporters_delivery_retries_total{reporter="flaky"}')).toBe(1);
    expect(m.get('bbreporters_deliveries_dead_total{reporter="flaky"}')).toBeUndefined();
    expect(m.get('bbreporters_deliveries_dead_total{reporter="denied"}')).toBe(1);
    expect(m.get('bbreporters_delivery_attempts_failed_total{reporter="denied"}')).toBe(1);
    expect(m.get('bbreporters_delivery_retries_total{reporter="denied"}')).toBeUndefined();
    expect(m.get('bbreporters_delivery_latency_seconds_count{reporter="flaky"}')).toBe(1);
    expect(m.get('bbreporters_delivery_latency_seconds_sum{reporter="flaky"}')).toBeGreaterThan(0);
    expect(m.get('bbreporters_delivery_attempts_count{reporter="flaky"}')).toBe(1);
    expect(m.get('bbreporters_delivery_attempts_sum{reporter="flaky"}')).toBe(2);
    expect(m.get('bbreporters_delivery_attempts_bucket{le="1",reporter="flaky"}')).toBe(0);
    expect(m.get('bbreporters_delivery_attempts_bucket{le="2",reporter="flaky"}')).toBe(1);
    expect(m.get('bbreporters_delivery_attempts_sum{reporter="denied"}')).toBe(1);
    expect(m.get('bbreporters_delivery_queue_depth{reporter="flaky"}')).toBe(0);
    expect(m.get('bbreporters_delivery_queue_depth{reporter="denied"}')).toBe(0);
    expect(m.get('bbreporters_delivery_oldest_pending_age_seconds{reporter="flaky"}')).toBe(0);
    expect(m.get('bbreporters_deliveries_parked{reporter="flaky"}')).toBe(0);
    expect(m.get('bbreporters_dead_letters{reporter="denied"}')).toBe(1);
    expect(m.get('bbreporters_dead_letters{reporter="flaky"}')).toBe(0);
  });
});
