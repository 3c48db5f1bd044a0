import { describe, expect, it } from 'vitest';
import { projectPath } from './project.js';

describe('projectPath', () => {
  it.each([
    ['http://gitlab/buildbot/buildbot', 'buildbot/buildbot'],
    ['git@gitlab:buildbot/buildbot.git', 'buildbot/buildbot'],
    ['https://gitlab.com/group/sub/project.git', 'group/sub/project'],
    ['ssh://git@gitlab.example:2222/g/p.git', 'g/p'],
  ])('%s → %s', (url, path) => {
    expect(projectPath(url)).toBe(path);
  });

  it('a URL without group, or no URL, names no project (Buildbot would look up "None/<repo>")', () => {
    expect(projectPath('https://gitlab.example/repo')).toBeUndefined();
    expect(projectPath('')).toBeUndefined();
  });
});
