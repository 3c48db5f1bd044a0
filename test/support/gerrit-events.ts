/** Fixture events as a Gerrit-triggered build carries them: Buildbot's Gerrit change source properties. */
import { fixture } from '@bbreporters/core/testing';

export const SHA = 'd34db33fd43db33f';

export function gerritProperties(overrides: Record<string, unknown> = {}): Record<string, [unknown, string]> {
  const values: Record<string, unknown> = {
    'event.change.id': 'I0123456789abcdef0123456789abcdef01234567',
    'event.change.project': 'testProject',
    'event.change.number': '4321',
    'event.change.branch': 'master',
    'event.patchSet.number': '12',
    'event.patchSet.revision': SHA,
    ...overrides,
  };
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, [v, 'Gerrit']]));
}

/** A build body (HttpStatusPush capture or a buildset's build) with Gerrit properties added. */
export function withGerrit<T extends Record<string, unknown>>(body: T, overrides?: Record<string, unknown>): T {
  const target: Record<string, unknown> = body;
  target.properties = { ...(body.properties as object), ...gerritProperties(overrides) };
  return body;
}

/** The buildset capture (builds pass, fail, warn; result failure) with Gerrit properties on every build. */
export function gerritBuildset(overrides?: Record<string, unknown>) {
  const envelope = fixture('buildset-finished') as { payload: { builds: Array<Record<string, unknown>> } };
  for (const build of envelope.payload.builds) withGerrit(build, overrides);
  return envelope;
}
