/**
 * The default body: the build as Buildbot's HttpStatusPush posts it (http.md §3), shaped by the
 * want* options. Keys Buildbot never sends (blamelist, changes) are left out, so the body is
 * exactly what another bbreporters instance's `http` source takes as a Buildbot push.
 */
import type { BuildPayload } from '@bbreporters/core';

export interface Wants {
  wantProperties?: boolean;
  wantSteps?: boolean;
  wantLogs?: boolean;
  wantPreviousBuild?: boolean;
}

export function buildBody(build: BuildPayload, wants: Wants): Record<string, unknown> {
  const { blamelist: _blamelist, changes: _changes, steps, prev_build, ...rest } = build;
  const body: Record<string, unknown> = { ...rest, properties: wants.wantProperties ? (build.properties ?? {}) : {} };
  if (wants.wantSteps && steps) body.steps = wants.wantLogs ? steps : steps.map(({ logs: _logs, ...step }) => step);
  if (wants.wantPreviousBuild && prev_build !== undefined) body.prev_build = prev_build;
  return body;
}
