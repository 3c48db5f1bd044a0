/** What the ledger keeps to find an event again: its kind, and the builder and build it is about. */
import type { BbEvent } from '../events/events.js';
import { defined } from '../lang/defined.js';
import type { EventRecord } from './ledger.js';

export function eventRecordOf(event: BbEvent, receivedAt: number): EventRecord {
  const build =
    event.event === 'buildsetFinished'
      ? event.payload.builds[0]
      : event.event === 'workerMissing'
        ? undefined
        : event.payload;
  return {
    id: event.id,
    kind: event.event,
    receivedAt,
    body: event,
    ...defined({
      // A buildset is shown by its first build's builder; a missing worker by the worker's name.
      builder: event.event === 'workerMissing' ? event.payload.worker.name : build?.builder?.name,
      build: build?.number,
    }),
  };
}
