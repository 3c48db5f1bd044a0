/**
 * `bbreporters preview` with the HTTP reporters: each delivery printed is the exact request
 * (method, URL, headers, body) the reporter would send, with every credential masked.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixture } from '@bbreporters/core/testing';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from './support/bbreporters-cli.js';
import { SHA, withStamps } from './support/http-status-fixtures.js';

const SECRETS = {
  GH_TOKEN: 'gh-preview-3391',
  STASH_PASSWORD: 'stash-preview-7720',
  HIPCHAT_TOKEN: 'hc-preview-1184',
  PUSH_TOKEN: 'push-preview-5093',
  BB_SECRET: 'bb-preview-2262',
};

const config = `title: Preview
reporters:
  - plugin: github
    options: { token: "\${GH_TOKEN}", baseURL: "https://ghe.example/api/v3/" }
  - plugin: bitbucket-server
    options: { base_url: "https://stash.example/", user: ci, password: "\${STASH_PASSWORD}" }
  - plugin: hipchat
    options: { auth_token: "\${HIPCHAT_TOKEN}", endpoint: "https://chat.example", builder_room_map: { fail: "42" } }
  - plugin: http-status-push
    options: { serverUrl: "https://status.example/submit", auth: { type: bearer, token: "\${PUSH_TOKEN}" } }
  - plugin: bitbucket
    options: { oauth_key: bb-key, oauth_secret: "\${BB_SECRET}" }
`;

function setup() {
  const dir = tempDir();
  writeFileSync(join(dir, 'config.yaml'), config);
  writeFileSync(
    join(dir, 'event.json'),
    JSON.stringify(
      withStamps('fail.finished', [
        { repository: 'https://github.com/acme/widgets.git', revision: SHA, branch: 'main' },
      ]),
    ),
  );
  return { config: join(dir, 'config.yaml'), event: join(dir, 'event.json') };
}

/** The printed deliveries' JSON (between the delivery headers and the closing line). */
function printedPayloads(stdout: string): unknown[] {
  return stdout
    .split(/^--- delivery .*$/m)
    .slice(1)
    .map((chunk) => JSON.parse(chunk.replace(/\nnothing was sent \(preview\)\n?$/, '').trim()) as unknown);
}

const url = fixture('fail.finished').url as string;

describe('preview of the HTTP reporters', () => {
  it.each([
    [
      'github',
      {
        method: 'POST',
        url: `https://ghe.example/api/v3/repos/acme/widgets/statuses/${SHA}`,
        headers: { Authorization: 'token ********', 'User-Agent': 'Buildbot', 'Content-Type': 'application/json' },
        body: { state: 'failure', target_url: url, description: 'Build done.', context: 'buildbot/fail' },
      },
    ],
    [
      'bitbucket-server',
      {
        method: 'POST',
        url: `https://stash.example/rest/build-status/1.0/commits/${SHA}`,
        headers: { Authorization: '********', 'Content-Type': 'application/json' },
        body: { state: 'FAILED', key: 'fail', url, description: 'Build done.' },
      },
    ],
    [
      'hipchat',
      {
        method: 'POST',
        url: 'https://chat.example/v2/room/42/notification?auth_token=********',
        headers: { 'Content-Type': 'application/json' },
        body: { message: `Buildbot finished build fail with result failure here: ${url}` },
      },
    ],
    [
      'bitbucket',
      {
        method: 'POST',
        url: `https://api.bitbucket.org/2.0/repositories/acme/widgets/commit/${SHA}/statuses/build`,
        headers: { 'Content-Type': 'application/json' },
        body: { state: 'FAILED', key: 'fail', name: 'fail', url },
      },
    ],
  ])('%s prints the exact request, credentials masked', async (reporter, request) => {
    const { config: file, event } = setup();
    const result = await runCli(['preview', '--config', file, '--reporter', reporter, '--event', event], {
      env: SECRETS,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(printedPayloads(result.stdout)).toEqual([request]);
    for (const secret of Object.values(SECRETS)) expect(result.stdout + result.stderr).not.toContain(secret);
  });

  it('http-status-push prints the POST of the Buildbot build dict, bearer token masked', async () => {
    const { config: file, event } = setup();
    const result = await runCli(['preview', '--config', file, '--reporter', 'http-status-push', '--event', event], {
      env: SECRETS,
    });
    expect(result.code, result.stderr).toBe(0);
    const [request] = printedPayloads(result.stdout) as Array<{
      method: string;
      url: string;
      headers: object;
      body: Record<string, unknown>;
    }>;
    expect([request.method, request.url, request.headers]).toEqual([
      'POST',
      'https://status.example/submit',
      { 'Content-Type': 'application/json', Authorization: 'Bearer ********' },
    ]);
    expect(request.body).toMatchObject({
      buildid: fixture('fail.finished').buildid,
      complete: true,
      results: 2,
      properties: {},
    });
    expect(result.stdout + result.stderr).not.toContain(SECRETS.PUSH_TOKEN);
  });
});
