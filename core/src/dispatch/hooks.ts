/**
 * The hook catalogue: the four hooks core calls, and nothing else creates hooks. Plugins never
 * tap them directly: the dispatcher taps each reporter's handlers, wrapped for isolation.
 */
import { AsyncParallelHook } from 'tapable';
import type { EventName, EventsByName } from '../events/events.js';
import type { HookOutcome } from './outcomes.js';

/** Shared by the taps of one dispatch: each wrapped tap records its reporter's outcome here. */
export interface DispatchRecord {
  outcomes: HookOutcome[];
}

export type EventHook<K extends EventName> = AsyncParallelHook<[EventsByName[K], DispatchRecord]>;

export type Hooks = { readonly [K in EventName]: EventHook<K> };

export function createHooks(): Hooks {
  return Object.freeze({
    buildStarted: new AsyncParallelHook<[EventsByName['buildStarted'], DispatchRecord]>(['event', 'dispatch']),
    buildFinished: new AsyncParallelHook<[EventsByName['buildFinished'], DispatchRecord]>(['event', 'dispatch']),
    buildsetFinished: new AsyncParallelHook<[EventsByName['buildsetFinished'], DispatchRecord]>(['event', 'dispatch']),
    workerMissing: new AsyncParallelHook<[EventsByName['workerMissing'], DispatchRecord]>(['event', 'dispatch']),
  });
}
