/**
 * github-comment and gitea fed by a real Buildbot 3.7 master: its own HttpStatusPush posts to
 * bbreporters' `http` source; a change on a pull-request branch (refs/pull/7/head, with the
 * buildbot-gitea hook's head properties) gets a GitHub pull-request comment per build and Gitea
 * statuses on the head commit of the fork, on a loopback server that plays both services.
 */
import { fileURLToPath } from 'node:url';
import { Runtime } from '@bbreporters/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../core/src/diagnostics/logger.js';
import { HttpSource } from '../core/src/sources/http.js';
import { BuildbotMaster } from './support/buildbot/buildbot.js';
import { RecordingServer, type RecordedRequest } from '@bbreporters/core/testing';

const SHA = 'c0ffee1234567890c0ffee1234567890c0ffee12';
const HEAD_SHA = 'feedface00112233445566778899aabbccddeeff';
const plugin = (name: string) => fileURLToPath(new URL(`../plugins/${name}`, import.meta.url));
const quiet = { write: () => undefined };

let bb: BuildbotMaster | undefined;
let services: RecordingServer;
let source: HttpSource;
let runtime: Runtime;

beforeAll(async () => {
  services = await RecordingServer.start(() => ({ status: 201, body: {} }));
  runtime = await Runtime.start({
    configDir: process.cwd(),
    logDestination: quiet,
    reporters: [
      { plugin: plugin('github-comment'), options: { token: 'ghc-e2e-token', baseURL: services.url } },
      { plugin: plugin('gitea'), options: { token: 'gitea-e2e-token', baseURL: `${services.url}/gitea` } },
    ],
  });
  // Buildbot's HttpStatusPush refuses a serverUrl ending with / (quirk 13): the source listens on /buildbot.
  source = new HttpSource(
    { type: 'http', listen: '127.0.0.1:0', path: '/buildbot' },
    createLogger({ secrets: new Set(), destination: quiet }),
  );
  await source.start((input) => runtime.emit(input));
  bb = await BuildbotMaster.start({ push: [{ url: source.address().url, style: 'default' }] });
}, 120_000);

afterAll(async () => {
  await bb?.stop();
  await source?.close();
  await runtime?.close();
  await services?.close();
});

const field = (requests: RecordedRequest[], name: string) =>
  requests.map((r) => (JSON.parse(r.body) as Record<string, string>)[name]);

describe('github-comment and gitea fed by Buildbot 3.7', () => {
  it('a change on refs/pull/7/head: one comment per build on PR #7, and the Gitea statuses of the head commit', async () => {
    await bb!.change({
      author: 'Dora Dev <dora@example.test>',
      comments: 'fix the widget',
      branch: 'refs/pull/7/head',
      revision: SHA,
      repository: 'https://github.com/acme/widgets.git',
      project: 'widgets',
      // What the buildbot-gitea change hook sets for a pull request (base hook: a JSON object).
      properties: JSON.stringify({ pr_id: 7, head_owner: 'dora', head_reponame: 'widgets-fork', head_sha: HEAD_SHA }),
    });
    await bb!.waitIdle(90_000);
    // Buildbot posts after the build ends: 2 comments (pass, fail) + 4 statuses (start and end of each).
    await bb!.waitFor(async () => services.requests.length >= 6, 30_000, 'two comments and four statuses');
    await runtime.deliveries.drain(10_000);

    const comments = services.matching('POST', '/repos/acme/widgets/issues/7/comments');
    expect(field(comments, 'body')).toEqual(['Build done.', 'Build done.']);
    expect(comments.every((r) => r.headers.authorization === 'token ghc-e2e-token')).toBe(true);

    const statuses = services.matching('POST', `/gitea/api/v1/repos/dora/widgets-fork/statuses/${HEAD_SHA}`);
    const byContext = (context: string) =>
      statuses.filter((r) => (JSON.parse(r.body) as { context: string }).context === context);
    expect(field(byContext('buildbot/pull_request/pass'), 'state')).toEqual(['pending', 'success']);
    expect(field(byContext('buildbot/pull_request/fail'), 'state')).toEqual(['pending', 'failure']);
    expect(statuses.every((r) => r.headers.authorization === 'token gitea-e2e-token')).toBe(true);
    expect(field(statuses, 'target_url').every((url) => url.startsWith(bb!.url))).toBe(true);
    expect(services.requests).toHaveLength(6);
  }, 150_000);
});
