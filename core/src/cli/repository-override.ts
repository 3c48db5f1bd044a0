/**
 * `preview --repository URL`: the event with every source stamp's repository (and the build's
 * `repository` property, when it has one) replaced, so a captured event previews against a
 * GitHub, GitLab or Bitbucket repository without editing the file.
 */
import type { BbEvent, BuildPayload, Buildset } from '../events/events.js';

export function withRepository(event: BbEvent, repository: string): BbEvent {
  const stamps = (buildset: Buildset): Buildset => ({
    ...buildset,
    sourcestamps: buildset.sourcestamps.map((stamp) => ({ ...stamp, repository })),
  });
  const build = (payload: BuildPayload): BuildPayload => ({
    ...payload,
    ...(payload.buildset ? { buildset: stamps(payload.buildset) } : {}),
    ...(payload.properties?.repository
      ? { properties: { ...payload.properties, repository: [repository, payload.properties.repository[1]] } }
      : {}),
  });
  switch (event.event) {
    case 'buildStarted':
    case 'buildFinished':
      return { ...event, payload: build(event.payload) };
    case 'buildsetFinished':
      return {
        ...event,
        payload: {
          ...event.payload,
          buildset: stamps(event.payload.buildset),
          builds: event.payload.builds.map(build),
        },
      };
    case 'workerMissing':
      return event;
  }
}
