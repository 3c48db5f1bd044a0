import { tmpdir } from 'node:os';
import { describe, expect, it, vi } from 'vitest';
import type { BuildPayload } from '../events/events.js';
import { createFormatterFactory } from '../formatter/factory.js';
import type { HttpRequest } from '../http/request.js';
import type { Delivery } from '../plugin-api.js';
import { fixture } from '../testing/fixtures.js';
import {
  commitStatusHandlers,
  commitStatusTarget,
  contextTexts,
  type CommitStatusSpec,
  type RenderedStatus,
  type StatusLocation,
} from './status-reporter.js';
import { githubStates } from './states.js';

const config = { title: 'CI', stateDir: tmpdir(), configDir: tmpdir(), dryRun: false };
const stamp = (repository: string, revision: string | null) => ({
  ssid: 1,
  repository,
  revision,
  branch: 'main',
  project: '',
  codebase: '',
});

/** A build of builder `pass` (started, or finished as SUCCESS) whose buildset has `stamps`. */
function build(name: 'pass.new' | 'pass.finished', stamps: Array<ReturnType<typeof stamp>>): BuildPayload {
  const payload = fixture(name) as unknown as BuildPayload;
  return { ...payload, buildset: { ...payload.buildset!, sourcestamps: stamps } } as BuildPayload;
}

type Spec = Omit<CommitStatusSpec<string, StatusLocation>, 'service' | 'states' | 'locate' | 'request'> &
  Partial<CommitStatusSpec<string, StatusLocation>>;

/** The skeleton with a spec whose request carries the status and the revision, and the deliveries it made. */
function reporter(spec: Spec) {
  const deliveries: Array<Delivery<HttpRequest>> = [];
  const skips: string[] = [];
  const ctx = {
    formatter: createFormatterFactory({ reporter: 'test', config }),
    config,
    skip: (reason: string) => void skips.push(reason),
    deliver: (delivery: Delivery<unknown>) => (
      deliveries.push(delivery as Delivery<HttpRequest>),
      { id: String(deliveries.length), settled: new Promise<never>(() => {}) }
    ),
  };
  const handlers = commitStatusHandlers(ctx, {
    service: 'svc',
    states: githubStates,
    locate: (s) => ({ repository: s.repository }),
    request: (_location, s, status) => ({ url: `https://svc.example/${s.revision}`, body: status }),
    ...spec,
  });
  const signal = new AbortController().signal;
  return {
    deliveries,
    skips,
    bodies: () => deliveries.map((d) => d.payload.body as RenderedStatus),
    started: (payload: BuildPayload) =>
      handlers.buildStarted({ payload } as Parameters<typeof handlers.buildStarted>[0], { signal }),
    finished: (payload: BuildPayload) =>
      handlers.buildFinished({ payload } as Parameters<typeof handlers.buildFinished>[0], { signal }),
  };
}

const texts = { key: 'ci/<%= buildername %>', start: '<%= buildername %> started', end: 'Build done.' };

describe('commitStatusHandlers', () => {
  it('one delivery per stamp with a revision, to a target naming the repository, commit and key', async () => {
    const r = reporter({ texts });
    await r.started(
      build('pass.new', [stamp('acme/one', 'a1a1'), stamp('acme/two', null), stamp('acme/three', 'c3c3')]),
    );
    expect(r.deliveries.map((d) => [d.target, d.payload.url])).toEqual([
      ['svc:acme/one@a1a1:ci/pass', 'https://svc.example/a1a1'],
      ['svc:acme/three@c3c3:ci/pass', 'https://svc.example/c3c3'],
    ]);
  });

  it('renders the state from the table, the key, the start or end description and the build link', async () => {
    const r = reporter({ texts });
    await r.started(build('pass.new', [stamp('acme/one', 'a1a1')]));
    await r.finished(build('pass.finished', [stamp('acme/one', 'a1a1')]));
    const url = fixture('pass.new').url;
    expect(r.bodies()).toEqual([
      { state: 'pending', key: 'ci/pass', description: 'pass started', url },
      { state: 'success', key: 'ci/pass', description: 'Build done.', url },
    ]);
  });

  it('an absent or empty name or description gives none; keyOf shapes the key in the status and the target', async () => {
    const r = reporter({ texts: { key: '<%= buildername %>', name: '', end: '' }, keyOf: (key) => key.toUpperCase() });
    await r.finished(build('pass.finished', [stamp('acme/one', 'a1a1')]));
    expect(r.bodies()[0]).toEqual({ state: 'success', key: 'PASS', url: fixture('pass.finished').url });
    expect(r.deliveries[0].target).toBe('svc:acme/one@a1a1:PASS');
    const named = reporter({ texts: { key: 'k', name: '<%= buildername %>' } });
    await named.started(build('pass.new', [stamp('acme/one', 'a1a1')]));
    expect(named.bodies()[0]).toMatchObject({ key: 'k', name: 'pass' });
  });

  it("locate may be async and may skip a stamp; it gets the build and the handler's signal", async () => {
    const locate = vi.fn(async (s: { repository: string }, _context: { build: BuildPayload; signal: AbortSignal }) =>
      s.repository === 'unknown' ? undefined : { repository: `project-${s.repository}` },
    );
    const r = reporter({ texts, locate });
    const payload = build('pass.new', [stamp('unknown', 'a1a1'), stamp('a', 'b2b2')]);
    await r.started(payload);
    expect(r.deliveries.map((d) => d.target)).toEqual(['svc:project-a@b2b2:ci/pass']);
    expect(locate.mock.calls[0][1]).toMatchObject({ build: payload, signal: expect.any(AbortSignal) });
  });

  it("each stamp without a revision is skipped with a reason (the plugin's words first); without any stamp with a revision nothing is rendered", async () => {
    const r = reporter({ texts: { key: '<%= nonexistent %>' }, withoutRevisionText: 'Unable to get the commit hash' });
    await r.started(build('pass.new', [stamp('https://u:pw-9@git.example/acme/one', null), stamp('', '')]));
    expect(r.skips).toEqual([
      'Unable to get the commit hash: source stamp https://u:********@git.example/acme/one names no commit (empty revision: a forced or periodic build), so it gets no status',
      'Unable to get the commit hash: source stamp 1 (no repository) names no commit (empty revision: a forced or periodic build), so it gets no status',
    ]);
    expect(r.deliveries).toEqual([]);
    const plain = reporter({ texts });
    await plain.started(build('pass.new', []));
    expect(plain.skips).toEqual(['the build has no source stamp: no commit to set a status on']);
  });

  it('a revision that is no commit id is skipped, naming the stamp', async () => {
    const r = reporter({ texts });
    await r.started(build('pass.new', [stamp('acme/one', '../x')]));
    expect(r.deliveries).toEqual([]);
    expect(r.skips).toEqual([
      'Skipped status update: source stamp acme/one: the revision is not a commit id (4 to 64 hex digits)',
    ]);
  });

  it("a location's own revision (a pull request's head commit) is the commit of the request and the target, and must be a commit id", async () => {
    const r = reporter({ texts, locate: () => ({ repository: 'fork/one', revision: 'beef' }) });
    await r.started(build('pass.new', [stamp('acme/one', 'a1a1')]));
    expect(r.deliveries.map((d) => [d.target, d.payload.url])).toEqual([
      ['svc:fork/one@beef:ci/pass', 'https://svc.example/beef'],
    ]);
    const refused = reporter({ texts, locate: () => ({ repository: 'fork/one', revision: '..' }) });
    await refused.started(build('pass.new', [stamp('acme/one', 'a1a1')]));
    expect(refused.deliveries).toEqual([]);
    expect(refused.skips).toEqual([
      'Skipped status update: source stamp acme/one: the commit ".." is not a commit id (4 to 64 hex digits)',
    ]);
  });
});

describe('contextTexts', () => {
  it("takes Buildbot's default for an absent or empty context or description", () => {
    const defaults = { key: 'buildbot/<%= buildername %>', start: 'Build started.', end: 'Build done.' };
    expect(contextTexts({})).toEqual(defaults);
    expect(contextTexts({ context: '', startDescription: '', endDescription: '' })).toEqual(defaults);
    expect(contextTexts({ context: 'ci', startDescription: 'go', endDescription: '<%= summary %>' })).toEqual({
      key: 'ci',
      start: 'go',
      end: '<%= summary %>',
    });
  });
});

describe('commitStatusTarget', () => {
  it('is <service>:<repository>@<revision>:<key>', () => {
    expect(commitStatusTarget('github', 'acme/widgets', 'abc', 'buildbot/pass')).toBe(
      'github:acme/widgets@abc:buildbot/pass',
    );
  });
});
