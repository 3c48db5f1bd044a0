/**
 * No notification lost when the service dies: `bbreporters run` takes a build while the remote is
 * down, is killed with SIGKILL mid-retry (no chance to clean up), and after a restart with the
 * remote back, the status arrives.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteLedger } from '../core/src/ledger/sqlite-ledger.js';
import { RecordingServer } from '@bbreporters/core/testing';
import {
  fixturePlugins,
  httpStatusPushDir,
  startService,
  tempDir,
  type RunningService,
} from './support/bbreporters-cli.js';

const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, fatal() {}, child: () => quiet };
/** The deliveries a run with this stateDir left open (as the next start reads them). */
async function openIn(stateDir: string) {
  // The service commits its ledger writes once per turn of the event loop: let that turn end.
  await new Promise((resolve) => setImmediate(resolve));
  const ledger = new SqliteLedger(stateDir, { logger: quiet });
  try {
    return ledger.unsent();
  } finally {
    ledger.close();
  }
}

let server: RecordingServer | undefined;
let service: RunningService | undefined;
afterAll(async () => {
  await service?.stop('SIGKILL');
  await server?.close();
});

describe('a crash mid-delivery', () => {
  it('loses nothing: the unsent status is sent after the restart', async () => {
    let up = false;
    server = await RecordingServer.start(() => (up ? { status: 201 } : { status: 503 }));
    const dir = tempDir();
    const config = join(dir, 'bbreporters.yaml');
    writeFileSync(
      config,
      [
        `stateDir: ${join(dir, 'state')}`,
        'sources:',
        '  - { type: http, listen: "127.0.0.1:0" }',
        'reporters:',
        `  - plugin: ${join(fixturePlugins, 'http-describer')}`,
        `    options: { url: "${server.url}" }`,
        '    delivery: { baseDelayMs: 200, maxDelayMs: 400 }',
        '',
      ].join('\n'),
    );

    service = await startService(config);
    const body = readFileSync(join(httpStatusPushDir, 'fail.finished.json'), 'utf8');
    const accepted = await fetch(service.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(accepted.status).toBe(200);
    for (let i = 0; i < 100 && server.requests.length < 2; i++) await new Promise((r) => setTimeout(r, 50));
    expect(server.requests.length).toBeGreaterThanOrEqual(2); // refused, retried, still refused
    await service.stop('SIGKILL');
    expect(await openIn(join(dir, 'state'))).toHaveLength(1);

    up = true;
    const refused = server.requests.length;
    service = await startService(config);
    for (let i = 0; i < 100 && server.requests.length === refused; i++) await new Promise((r) => setTimeout(r, 50));
    const after = server.requests.slice(refused);
    expect(after.map((r) => [r.method, r.url, JSON.parse(r.body)])).toEqual([
      ['POST', '/status', { state: 'failure' }],
    ]);
    for (let i = 0; i < 40 && (await openIn(join(dir, 'state'))).length; i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(await openIn(join(dir, 'state'))).toEqual([]);
  });
});
