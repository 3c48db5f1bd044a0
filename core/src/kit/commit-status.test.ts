import { describe, expect, it } from 'vitest';
import type { BuildPayload } from '../events/events.js';
import { buildLink, sourceStampsWithRevision, withoutTrailingSlashes } from './commit-status.js';

const stamp = (revision: string | null) => ({
  ssid: 1,
  revision,
  branch: null,
  repository: 'r',
  project: '',
  codebase: '',
});

describe('commit-status helpers', () => {
  it('keeps only the source stamps that name a revision', () => {
    const build = {
      buildset: { sourcestamps: [stamp('rev1'), stamp(null), stamp(''), stamp('rev3')] },
    } as unknown as BuildPayload;
    expect(sourceStampsWithRevision(build).map((s) => s.revision)).toEqual(['rev1', 'rev3']);
    expect(sourceStampsWithRevision({} as BuildPayload)).toEqual([]);
  });

  it('links the event url, else the page under buildbotURL, else nothing', () => {
    const build = { builderid: 79, number: 0 } as BuildPayload;
    expect(buildLink({ ...build, url: 'http://bb/#builders/79/builds/0' })).toBe('http://bb/#builders/79/builds/0');
    expect(buildLink(build, 'http://localhost:8080/')).toBe('http://localhost:8080/#builders/79/builds/0');
    expect(buildLink(build)).toBeUndefined();
  });

  it('drops every trailing slash', () => {
    expect(withoutTrailingSlashes('https://ghe.example/api/v3//')).toBe('https://ghe.example/api/v3');
  });
});
