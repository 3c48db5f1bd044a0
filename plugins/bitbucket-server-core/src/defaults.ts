/**
 * What BitbucketServerCoreAPIStatusPush sends when its renderables are not given (stash.md §4):
 * the name with the parent build, the parent, the ref from the branch, the duration in
 * milliseconds and the test results from the build's properties.
 */
import { propertyValue, type BuildPayload, type SourceStamp } from '@bbreporters/core';
import type { TestResults } from './status.js';

/** `<builder> #<number>`, prefixed `<parent builder> #<parent number> » ` for a triggered build. */
export function defaultName(build: BuildPayload): string {
  const own = `${build.builder.name} #${build.number}`;
  const parent = build.parentbuild;
  return parent && build.parentbuilder ? `${build.parentbuilder.name} #${parent.number} \u00bb ${own}` : own;
}

/** The parent build's builder, else the build's own. */
export function defaultParent(build: BuildPayload): string {
  return build.parentbuilder?.name ?? build.builder.name;
}

/** `refs/…` as is, else `refs/heads/<branch>`; undefined without a branch. */
export function refOf(stamp: Pick<SourceStamp, 'branch'>): string | undefined {
  const branch = stamp.branch;
  if (!branch) return undefined;
  return branch.startsWith('refs/') ? branch : `refs/heads/${branch}`;
}

/** A finished build's duration in milliseconds, counted in whole seconds as Buildbot does; null while it runs. */
export function durationMs(build: Pick<BuildPayload, 'complete' | 'started_at' | 'complete_at'>): number | null {
  if (!build.complete) return null;
  return typeof build.complete_at === 'number' ? Math.trunc(build.complete_at - build.started_at) * 1000 : null;
}

/** `tests_failed`, `tests_skipped`, `tests_successful` of a finished build, when any of them is set; else null. */
export function testResultsOf(build: BuildPayload): TestResults | null {
  if (!build.complete) return null;
  const count = (name: string) => Number(propertyValue(build, name) ?? 0) || 0;
  const results = {
    failed: count('tests_failed'),
    skipped: count('tests_skipped'),
    successful: count('tests_successful'),
  };
  return results.failed || results.skipped || results.successful ? results : null;
}
