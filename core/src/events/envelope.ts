/**
 * The envelope normaliser: every input (a raw Buildbot HttpStatusPush body or an envelope)
 * becomes one validated, typed event with an id for de-duplication.
 */
import { BbrError } from '../diagnostics/errors.js';
import type { BbEvent, BuildPayload, EventEnvelope, EventName } from './events.js';
import { coreValidator, describeAjvErrors } from '../contracts/schemas.js';
import { depthProblem } from './limits.js';

/** What an HttpStatusPush body becomes: Buildbot's HttpStatusPush posts builds, never buildsets or workers. */
export const httpStatusPushEvents: readonly EventName[] = Object.freeze(['buildStarted', 'buildFinished']);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** True for a Buildbot HttpStatusPush body: a build dict, no `event` key. */
export function isHttpStatusPushBody(input: unknown): boolean {
  return isObject(input) && !('event' in input) && ('buildid' in input || 'complete' in input);
}

/** The id core uses to drop duplicates when the envelope carries none. */
export function deriveEventId(envelope: EventEnvelope): string {
  switch (envelope.event) {
    case 'buildStarted':
    case 'buildFinished':
      return `${envelope.event}:${envelope.payload.buildid}`;
    case 'buildsetFinished':
      return `buildsetFinished:${envelope.payload.buildset.bsid}`;
    case 'workerMissing':
      // A worker can go missing again later: each disconnection is its own event.
      return `workerMissing:${envelope.payload.worker.workerid}:${envelope.payload.worker.last_connection ?? ''}`;
  }
}

/**
 * Validates and normalises one input. Throws BBR_EVENT_INVALID naming every bad field
 * (paths like `payload.buildid`).
 */
export function normaliseEvent(input: unknown): BbEvent {
  if (!isObject(input)) {
    throw new BbrError(
      'BBR_EVENT_INVALID',
      `an event must be a JSON object, got ${Array.isArray(input) ? 'an array' : input === null ? 'null' : typeof input}`,
    );
  }
  const tooDeep = depthProblem(input);
  if (tooDeep) throw new BbrError('BBR_EVENT_INVALID', 'the event nests too deep', { details: [tooDeep] });
  if (isHttpStatusPushBody(input)) {
    const validate = coreValidator('event.schema.json#/$defs/buildPayload');
    if (!validate(input)) {
      throw new BbrError('BBR_EVENT_INVALID', 'invalid HttpStatusPush body', {
        details: describeAjvErrors(validate.errors),
      });
    }
    const build = input as unknown as BuildPayload;
    // Valid as it stands: a build envelope is its event name and a valid build (no second validation per event).
    const envelope = { event: build.complete ? 'buildFinished' : 'buildStarted', payload: build } as EventEnvelope;
    return { ...envelope, id: deriveEventId(envelope) } as BbEvent;
  }
  if (!('event' in input)) {
    throw new BbrError(
      'BBR_EVENT_INVALID',
      'neither an envelope (no "event" key) nor an HttpStatusPush body (no "buildid")',
      {
        details: [{ path: 'event', message: 'is required' }],
      },
    );
  }
  const validate = coreValidator('event.schema.json');
  if (!validate(input)) {
    throw new BbrError('BBR_EVENT_INVALID', 'invalid event envelope', { details: describeAjvErrors(validate.errors) });
  }
  const valid = input as unknown as EventEnvelope;
  return { ...valid, id: valid.id ?? deriveEventId(valid) } as BbEvent;
}
