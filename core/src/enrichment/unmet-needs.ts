/**
 * What a reporter needs that an event came without and only the master can give: the steps,
 * their log lists, the logs' text. Buildbot 3.7's HttpStatusPush posts builds without steps or
 * logs unless asked for them; with no enricher, a mail then silently lacks its Logs sections.
 */
import type { BbEvent, BuildPayload } from '../events/events.js';
import type { Need } from './enricher.js';

function buildsOf(event: BbEvent): readonly BuildPayload[] {
  switch (event.event) {
    case 'buildStarted':
    case 'buildFinished':
      return [event.payload];
    case 'buildsetFinished':
      return event.payload.builds;
    case 'workerMissing':
      return [];
  }
}

/** The needs among steps, logs and log_contents that some build of the event lacks. */
export function unmetNeeds(event: BbEvent, needs: ReadonlySet<Need>): Need[] {
  // Asked for every reporter and event: most reporters need none of these.
  if (needs.size === 0) return [];
  const builds = buildsOf(event);
  const steps = builds.map((b) => b.steps);
  const lacking: Record<'steps' | 'logs' | 'log_contents', boolean> = {
    steps: steps.some((s) => !s),
    logs: steps.some((s) => !s || s.some((step) => !step.logs)),
    log_contents: steps.some(
      (s) => !s || s.some((step) => !step.logs || step.logs.some((l) => l.content === undefined)),
    ),
  };
  return (['steps', 'logs', 'log_contents'] as const).filter((need) => needs.has(need) && lacking[need]);
}
