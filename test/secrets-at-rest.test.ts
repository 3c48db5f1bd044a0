/**
 * No credential is written to disk (issue: secrets at rest): the delivery ledger keeps each held
 * delivery's payload as its reporter made it, and reporters deliver requests without credentials;
 * core adds them (the reporter's `authorize`, or its own `send`) at each attempt. Each reporter runs
 * against a loopback server that keeps answering 503, so its deliveries stay held in the ledger, and
 * the test checks both sides: the server got the credential, the ledger's files never held it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHarness, RecordingServer, type RecordedRequest } from '@bbreporters/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { SHA, withStamps } from './support/http-status-fixtures.js';

const SECRET = 'sekrit-5e1f2a';
const basic = (user: string) => Buffer.from(`${user}:${SECRET}`).toString('base64');

interface Case {
  reporter: string;
  options: (url: string) => Record<string, unknown>;
  /** Where the credential arrived at the server. */
  sent: (request: RecordedRequest) => string | undefined;
  /** The event to report, when not a started build of an ordinary repository. */
  event?: (url: string) => Record<string, unknown>;
}

const cases: Case[] = [
  { reporter: 'github', options: (url) => ({ token: SECRET, baseURL: url }), sent: (r) => r.headers.authorization },
  { reporter: 'gitea', options: (url) => ({ token: SECRET, baseURL: url }), sent: (r) => r.headers.authorization },
  {
    reporter: 'github-comment',
    options: (url) => ({ token: SECRET, baseURL: url, startDescription: 'started' }),
    sent: (r) => r.headers.authorization,
  },
  {
    reporter: 'gitlab',
    options: (url) => ({ token: SECRET, baseURL: url }),
    sent: (r) => (r.method === 'POST' ? r.headers['private-token'] : undefined),
  },
  {
    reporter: 'bitbucket',
    options: (url) => ({ auth: { user: 'bb', password: SECRET }, base_url: `${url}/2.0/repositories` }),
    sent: (r) => r.headers.authorization,
  },
  {
    reporter: 'bitbucket-server',
    options: (url) => ({ base_url: url, user: 'bb', password: SECRET }),
    sent: (r) => r.headers.authorization,
  },
  {
    reporter: 'bitbucket-server-core',
    options: (url) => ({ base_url: url, token: SECRET }),
    sent: (r) => r.headers.authorization,
  },
  {
    reporter: 'bitbucket-server-pr-comment',
    options: (url) => ({ base_url: url, user: 'bb', password: SECRET }),
    sent: (r) => r.headers.authorization,
    event: (url) =>
      withStamps('fail.finished', [{ repository: 'https://example.org/acme/widgets', revision: SHA }], {
        pullrequesturl: `${url}/projects/ACME/repos/widgets/pull-requests/3`,
      }),
  },
  {
    reporter: 'hipchat',
    options: (url) => ({ auth_token: SECRET, endpoint: url, builder_room_map: { pass: 'ci' } }),
    sent: (r) => new URL(r.url, 'http://x').searchParams.get('auth_token') ?? undefined,
  },
  {
    reporter: 'pushover',
    options: (url) => ({ base_url: url, user_key: 'po-user-key', api_token: SECRET }),
    sent: (r) => new URLSearchParams(r.body).get('token') ?? undefined,
    event: () => withStamps('fail.finished', [{ repository: 'https://example.org/acme/widgets', revision: SHA }]),
  },
  {
    reporter: 'pushjet',
    options: (url) => ({ base_url: url, secret: SECRET }),
    sent: (r) => new URLSearchParams(r.body).get('secret') ?? undefined,
    event: () => withStamps('fail.finished', [{ repository: 'https://example.org/acme/widgets', revision: SHA }]),
  },
  {
    reporter: 'zulip',
    options: (url) => ({ token: SECRET, endpoint: url }),
    sent: (r) => new URL(r.url, 'http://x').searchParams.get('api_key') ?? undefined,
    event: () =>
      withStamps('pass.new', [{ repository: 'https://example.org/acme/widgets', revision: SHA }], {
        project: 'widgets',
      }),
  },
  {
    reporter: 'http-status-push',
    options: (url) => ({ serverUrl: `${url}/push`, auth: { type: 'bearer', token: SECRET } }),
    sent: (r) => r.headers.authorization,
  },
  {
    reporter: 'matrix',
    options: (url) => ({ homeserver: url, room: '!ci:example.org', accessToken: SECRET }),
    sent: (r) => r.headers.authorization,
  },
];

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The raw bytes of the ledger's files under `stateDir` (database and write-ahead log): what a reader of the disk sees. */
const ledgerBytes = (stateDir: string) =>
  readdirSync(stateDir)
    .filter((name) => name.startsWith('ledger.sqlite'))
    .map((name) => readFileSync(join(stateDir, name), 'latin1'))
    .join('');

describe.each(cases)('$reporter keeps no credential on disk', ({ reporter, options, sent, event }) => {
  it('the server gets the credential at each attempt; the ledger on disk never holds it', async () => {
    const server = await RecordingServer.start((r) =>
      /\/projects\/[^/]+$/.test(r.url) ? { status: 200, body: { id: 7 } } : { status: 503, body: 'down' },
    );
    const stateDir = mkdtempSync(join(tmpdir(), 'bbr-at-rest-'));
    const harness = await createHarness({
      plugin: fileURLToPath(new URL(`../plugins/${reporter}`, import.meta.url)),
      options: options(server.url),
      stateDir,
      // Retries far apart: the deliveries stay held (their payloads in the ledger) for the whole test.
      delivery: { baseDelayMs: 60_000, maxDelayMs: 60_000 },
    });
    cleanups.push(
      () => server.close(),
      // The deliveries are held on purpose: nothing to wait for.
      () => harness.close(0),
    );
    // A pull request's build, so github-comment comments too.
    await harness.emit(
      event?.(server.url) ??
        withStamps('pass.new', [{ repository: 'https://example.org/acme/widgets', revision: SHA }], {
          branch: 'refs/pull/7/head',
        }),
    );
    for (let i = 0; i < 100 && !server.requests.some((r) => sent(r)); i++) await new Promise((r) => setTimeout(r, 50));

    const credential = server.requests.map(sent).find(Boolean);
    expect(credential, 'the credential reached the server').toBeDefined();
    expect([SECRET, `token ${SECRET}`, `Bearer ${SECRET}`, `Basic ${basic('bb')}`]).toContain(credential);
    const onDisk = ledgerBytes(stateDir);
    expect(onDisk).toContain(server.url); // the held request is there…
    for (const secret of [SECRET, basic('bb')]) expect(onDisk).not.toContain(secret); // …without its credential
  });
});
