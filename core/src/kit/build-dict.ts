/**
 * The build dict Buildbot's HTTP reporters hand on (HttpStatusPush's body, HipChat's hooks; http.md
 * §3), shaped by their want* options. Keys Buildbot never sends (blamelist, changes) are left out,
 * so the dict is exactly what another bbreporters instance's `http` source takes as a Buildbot push.
 */
import type { BuildPayload } from '../events/events.js';

export interface Wants {
  wantProperties?: boolean;
  wantSteps?: boolean;
  wantLogs?: boolean;
  wantPreviousBuild?: boolean;
}

export function buildDict(build: BuildPayload, wants: Wants): Record<string, unknown> {
  const { blamelist: _blamelist, changes: _changes, steps, prev_build, ...rest } = build;
  const body: Record<string, unknown> = {
    ...rest,
    // getDetailsForBuild always sets both, None when the buildset has no parent build.
    parentbuild: build.parentbuild ?? null,
    parentbuilder: build.parentbuilder ?? null,
    properties: wants.wantProperties ? (build.properties ?? {}) : {},
  };
  if (wants.wantSteps && steps) body.steps = wants.wantLogs ? steps : steps.map(({ logs: _logs, ...step }) => step);
  // BuildStatusGenerator never looks up the previous build for a `new` post.
  if (wants.wantPreviousBuild && build.complete && prev_build !== undefined) body.prev_build = prev_build;
  return body;
}

/** What core must fetch for a dict shaped by `wants` (a reporter's `needs`): log texts only with wantSteps + wantLogs. */
export function needsForWants(wants: Wants): Array<'steps' | 'log_contents' | 'prev_build'> {
  return [
    ...(wants.wantSteps ? (['steps'] as const) : []),
    ...(wants.wantSteps && wants.wantLogs ? (['log_contents'] as const) : []),
    ...(wants.wantPreviousBuild ? (['prev_build'] as const) : []),
  ];
}
