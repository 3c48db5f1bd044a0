/**
 * The `owners` property as Build.setupBuild sets it, a moment after `builds/N/new` left the master:
 * the authors of the build's changes and patches, and the build request's `owner` property
 * (the force form's user, "" when anonymous), sorted; no property when there is nobody. Buildbot's
 * own reporters nearly always read it for their `new` post; a REST read right after `new` may come
 * before the master wrote it, so it is computed the same way instead.
 */
import type { BuildPayload, Change, SourcedProperties } from '../events/events.js';
import type { SourcedProperty } from '../generated/schemas.js';
import type { BuildbotRestClient } from './rest-client.js';

export async function ownersProperty(
  rest: BuildbotRestClient,
  build: BuildPayload,
): Promise<SourcedProperty | undefined> {
  const [changes, requestProperties] = await Promise.all([
    build.changes ?? rest.list<Change>(`builds/${build.buildid}/changes`, 'changes'),
    build.buildset
      ? rest.one<SourcedProperties>(`buildsets/${build.buildset.bsid}/properties`, 'properties')
      : undefined,
  ]);
  const owners = new Set<string>(changes.map((c) => c.author));
  for (const stamp of build.buildset?.sourcestamps ?? [])
    if (typeof stamp.patch?.author === 'string') owners.add(stamp.patch.author);
  const owner = requestProperties?.owner?.[0];
  if (typeof owner === 'string') owners.add(owner);
  return owners.size ? [[...owners].sort(), 'Build'] : undefined;
}
