/**
 * Buildbot 3.7's captured builds with the source stamps a commit-status test needs. The forced
 * builds (pass, fail, warn, cancel) have one stamp without revision; `withStamps` gives them real
 * ones, so each result can be reported, while `change-*` keep their captured stamp.
 */
import { fixture, type HttpStatusPushFixture } from '@bbreporters/core/testing';

export const SHA = '6bb18fb7a037a13e58936e828985647ec9f6e8b3';

export interface Stamp {
  repository?: string;
  project?: string;
  revision?: string | null;
  branch?: string | null;
  codebase?: string;
}

/** The captured body with these source stamps (ssid 1, 2, …), other fields as captured. */
export function withStamps(
  name: HttpStatusPushFixture,
  stamps: Stamp[],
  properties: Record<string, unknown> = {},
): Record<string, unknown> {
  const body = fixture(name);
  const buildset = body.buildset as { sourcestamps: Array<Record<string, unknown>> };
  const template = buildset.sourcestamps[0];
  buildset.sourcestamps = stamps.map((s, i) => ({
    ...template,
    ssid: i + 1,
    repository: '',
    project: '',
    revision: null,
    branch: null,
    codebase: '',
    ...s,
  }));
  const props = body.properties as Record<string, unknown>;
  for (const [key, value] of Object.entries(properties)) props[key] = [value, 'test'];
  return body;
}

/** Start and end of one captured build, with the stamps. */
export function buildEvents(
  name: 'pass' | 'fail' | 'warn' | 'cancel',
  stamps: Stamp[],
  properties: Record<string, unknown> = {},
): Array<Record<string, unknown>> {
  return [withStamps(`${name}.new`, stamps, properties), withStamps(`${name}.finished`, stamps, properties)];
}
