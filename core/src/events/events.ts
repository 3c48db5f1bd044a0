/** The event types every source produces and every handler receives. */
import type {
  BuildFinishedEnvelope,
  BuildStartedEnvelope,
  BuildsetFinishedEnvelope,
  EventName,
  WorkerMissingEnvelope,
} from '../generated/schemas.js';

export type { EventName } from '../generated/schemas.js';
export type {
  Build,
  BuildPayload,
  Builder,
  BuildRequest,
  Buildset,
  BuildsetPayload,
  Change,
  EventEnvelope,
  Log,
  SourcedProperties,
  SourceStamp,
  Step,
  Worker,
  WorkerPayload,
} from '../generated/schemas.js';

/** An envelope after normalisation: `id` is always set. */
type WithId<E> = E & { id: string };
export type BuildStartedEvent = WithId<BuildStartedEnvelope>;
export type BuildFinishedEvent = WithId<BuildFinishedEnvelope>;
export type BuildsetFinishedEvent = WithId<BuildsetFinishedEnvelope>;
export type WorkerMissingEvent = WithId<WorkerMissingEnvelope>;
export type BbEvent = BuildStartedEvent | BuildFinishedEvent | BuildsetFinishedEvent | WorkerMissingEvent;

/** Maps each hook name to the event it receives (a missing hook fails `tsc`). */
export interface EventsByName {
  buildStarted: BuildStartedEvent;
  buildFinished: BuildFinishedEvent;
  buildsetFinished: BuildsetFinishedEvent;
  workerMissing: WorkerMissingEvent;
}

export const eventNames: readonly EventName[] = Object.freeze([
  'buildStarted',
  'buildFinished',
  'buildsetFinished',
  'workerMissing',
]);
