/**
 * The commit-status reporters fed by a real Buildbot 3.7 master: its own HttpStatusPush posts to
 * bbreporters' `http` source, and github, gitlab and bitbucket-server set the statuses of the
 * commit a change hook announced, on a loopback server that plays the three services.
 */
import { fileURLToPath } from 'node:url';
import { Runtime } from '@bbreporters/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../core/src/diagnostics/logger.js';
import { HttpSource } from '../core/src/sources/http.js';
import { BuildbotMaster } from './support/buildbot/buildbot.js';
import { RecordingServer, type RecordedRequest } from '@bbreporters/core/testing';

const SHA = 'c0ffee1234567890c0ffee1234567890c0ffee12';
const plugin = (name: string) => fileURLToPath(new URL(`../plugins/${name}`, import.meta.url));
const quiet = { write: () => undefined };

let bb: BuildbotMaster | undefined;
let services: RecordingServer;
let source: HttpSource;
let runtime: Runtime;

/** GitHub, GitLab (project acme/widgets = id 5) and Bitbucket Server under one origin. */
function fakeServices(request: RecordedRequest) {
  if (request.method === 'GET' && request.url === '/api/v4/projects/acme%2Fwidgets')
    return { status: 200, body: { id: 5 } };
  if (request.url.startsWith('/stash/')) return { status: 204 };
  return { status: 201, body: {} };
}

beforeAll(async () => {
  services = await RecordingServer.start(fakeServices);
  runtime = await Runtime.start({
    configDir: process.cwd(),
    logDestination: quiet,
    reporters: [
      { plugin: plugin('github'), options: { token: 'gh-e2e-token', baseURL: services.url } },
      { plugin: plugin('gitlab'), options: { token: 'gl-e2e-token', baseURL: services.url } },
      {
        plugin: plugin('bitbucket-server'),
        options: { base_url: `${services.url}/stash/`, user: 'ci', password: 'stash-e2e-pass' },
      },
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

const states = (requests: RecordedRequest[], field: string) =>
  requests.map((r) => (JSON.parse(r.body) as Record<string, string>)[field]);

describe('github, gitlab and bitbucket-server fed by Buildbot 3.7', () => {
  it("a change builds pass and fail: each service gets started then final states for the change's commit", async () => {
    await bb!.change({
      author: 'Dora Dev <dora@example.test>',
      comments: 'fix the widget',
      branch: 'main',
      revision: SHA,
      repository: 'https://github.com/acme/widgets.git',
      project: 'widgets',
    });
    await bb!.waitIdle(90_000);
    // Buildbot posts after the build ends; give the last POSTs and their deliveries a moment.
    await bb!.waitFor(
      async () => services.requests.filter((r) => r.method === 'POST').length >= 12,
      30_000,
      'twelve statuses',
    );
    await runtime.deliveries.drain(10_000);

    const github = services.matching('POST', `/repos/acme/widgets/statuses/${SHA}`);
    const byContext = (context: string) =>
      github.filter((r) => (JSON.parse(r.body) as { context: string }).context === context);
    expect(states(byContext('buildbot/pass'), 'state')).toEqual(['pending', 'success']);
    expect(states(byContext('buildbot/fail'), 'state')).toEqual(['pending', 'failure']);
    expect(github.every((r) => r.headers.authorization === 'token gh-e2e-token')).toBe(true);

    expect(services.matching('GET', '/api/v4/projects/acme%2Fwidgets')).toHaveLength(1);
    const gitlab = services.matching('POST', `/api/v4/projects/5/statuses/${SHA}`);
    const byName = (name: string) => gitlab.filter((r) => (JSON.parse(r.body) as { name: string }).name === name);
    expect(states(byName('buildbot/pass'), 'state')).toEqual(['running', 'success']);
    expect(states(byName('buildbot/fail'), 'state')).toEqual(['running', 'failed']);
    expect(gitlab.every((r) => (JSON.parse(r.body) as { ref: string }).ref === 'main')).toBe(true);

    const stash = services.matching('POST', `/stash/rest/build-status/1.0/commits/${SHA}`);
    const byKey = (key: string) => stash.filter((r) => (JSON.parse(r.body) as { key: string }).key === key);
    expect(states(byKey('pass'), 'state')).toEqual(['INPROGRESS', 'SUCCESSFUL']);
    expect(states(byKey('fail'), 'state')).toEqual(['INPROGRESS', 'FAILED']);
    expect(stash.every((r) => (JSON.parse(r.body) as { url: string }).url.startsWith(bb!.url))).toBe(true);
  }, 150_000);
});
