/** The build's page in the web UI: Buildbot ≤ 3.7's `<buildbotURL>#builders/<builderid>/builds/<number>` (common.md §4). */
export function buildUrl(buildbotURL: string, build: { builderid: number; number: number }): string {
  const base = buildbotURL.endsWith('/') ? buildbotURL : `${buildbotURL}/`;
  return `${base}#builders/${build.builderid}/builds/${build.number}`;
}
