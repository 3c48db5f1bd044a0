/**
 * Hostile event data cannot steer a commit-status request, and the credentials it carries, off the
 * configured API base (issue: path traversal with the reporter's token). Each reporter runs against
 * a real loopback server whose configured base has a path (`/api/base`): dot segments in the
 * repository, project or revision (also `%2e%2e`, which URL parsing decodes) get no request at all,
 * and the ordinary stamp of the same build still gets its status.
 */
import { fileURLToPath } from 'node:url';
import { RecordingServer } from '@bbreporters/core/testing';
import { describe, expect, it } from 'vitest';
import { reporterSession } from './support/reporter-session.js';
import { SHA, withStamps, type Stamp } from './support/http-status-fixtures.js';

const BASE = '/api/base';
const SECRET = 'tok-6c1e5d';
const plugin = (name: string) => fileURLToPath(new URL(`../plugins/${name}`, import.meta.url));

interface Case {
  reporter: string;
  options: (url: string) => Record<string, unknown>;
  /** A stamp that must get its status, beside the hostile ones. */
  good: Stamp;
  hostile: Stamp[];
}

const cases: Case[] = [
  {
    reporter: 'github',
    options: (url) => ({ token: SECRET, baseURL: `${url}${BASE}` }),
    good: { repository: 'https://github.com/acme/widgets', revision: SHA },
    hostile: [
      { repository: 'https://github.com/../..', revision: SHA },
      { repository: 'https://github.com/%2e%2e/%2e%2e', revision: SHA },
      { project: '../x', repository: '', revision: '..' },
      { project: 'acme/..', repository: '', revision: SHA },
      { repository: 'https://github.com/acme/widgets', revision: '../../x' },
    ],
  },
  {
    reporter: 'gitlab',
    options: (url) => ({ token: SECRET, baseURL: `${url}${BASE}` }),
    good: { repository: 'https://gitlab.example/acme/widgets', revision: SHA },
    hostile: [
      { repository: 'https://gitlab.example/acme/widgets', revision: '..' },
      { repository: 'https://gitlab.example/../..', revision: SHA },
    ],
  },
  {
    reporter: 'bitbucket',
    options: (url) => ({ auth: { user: 'bb', password: SECRET }, base_url: `${url}${BASE}` }),
    good: { repository: 'https://bitbucket.org/acme/widgets', revision: SHA },
    hostile: [
      { repository: 'https://bitbucket.org/../..', revision: SHA },
      { repository: 'https://bitbucket.org/acme/widgets', revision: '..' },
    ],
  },
  {
    reporter: 'gitea',
    options: (url) => ({ token: SECRET, baseURL: `${url}${BASE}` }),
    good: { repository: 'git@gitea.example:acme/widgets.git', revision: SHA },
    hostile: [
      { repository: 'git@gitea.example:acme/widgets.git', revision: '..' },
      { repository: 'https://gitea.example/%2e%2e/%2e%2e', revision: SHA },
      { repository: 'git@gitea.example:acme/..', revision: SHA },
    ],
  },
  {
    reporter: 'bitbucket-server',
    options: (url) => ({ base_url: `${url}${BASE}`, user: 'bb', password: SECRET }),
    good: { repository: 'https://stash.example/scm/prj/widgets.git', revision: SHA },
    hostile: [{ repository: 'https://stash.example/scm/prj/widgets.git', revision: '..' }],
  },
  {
    reporter: 'bitbucket-server-core',
    options: (url) => ({ base_url: `${url}${BASE}`, token: SECRET }),
    good: { repository: 'https://stash.example/scm/prj/widgets.git', revision: SHA },
    hostile: [
      { repository: 'https://stash.example/scm/prj/widgets.git', revision: '..' },
      { repository: 'https://stash.example/scm/../..', revision: SHA },
      { repository: 'https://stash.example/scm/%2e%2e/%2e%2e', revision: SHA },
    ],
  },
];

let server: RecordingServer | undefined;

describe.each(cases)(
  '$reporter: event data cannot move a request off the configured base',
  ({ reporter, options, good, hostile }) => {
    const session = reporterSession({
      plugin: plugin(reporter),
      server: () => server,
      options: () => options(server!.url),
    });

    it('dot segments in repository, project or revision get no request; the ordinary stamp gets its status', async () => {
      server = await RecordingServer.start((request) =>
        /\/projects\/[^/]+$/.test(request.url) ? { status: 200, body: { id: 7 } } : { status: 201, body: {} },
      );
      const h = await session.run({}, [withStamps('pass.new', [...hostile, good])]);
      const outside = server.requests.filter((r) => !r.url.startsWith(`${BASE}/`));
      expect(
        outside.map((r) => `${r.method} ${r.url} ${r.headers.authorization ?? r.headers['private-token'] ?? ''}`),
      ).toEqual([]);
      const statuses = server.requests.filter((r) => r.method === 'POST');
      expect(statuses).toHaveLength(1);
      expect(statuses[0].url).toContain(SHA);
      expect(statuses[0].url).not.toMatch(/\/\.\.?(\/|$)|%2e/i);
      expect(h.logs.some((l) => l.includes('Skipped status update'))).toBe(true);
    });
  },
);
