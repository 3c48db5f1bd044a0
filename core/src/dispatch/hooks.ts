/**
 * The hook catalogue: the four hooks core calls, frozen, and nothing else creates hooks. Plugins
 * never tap them directly: the dispatcher taps each reporter's handlers, wrapped for isolation.
 * Hosts may intercept them (tapable's `hook.intercept`), as webpack's plugins do: that is where
 * outcome counting and tracing attach (see ./interceptors.ts).
 */
import { AsyncParallelHook, type HookInterceptor } from 'tapable';
import type { BbEvent, EventName, EventsByName } from '../events/events.js';
import type { HookOutcome } from './outcomes.js';

/** Shared by the taps of one dispatch: each reporter's tap records its outcome here, by reporter name. */
export interface DispatchRecord {
  readonly outcomes: Map<string, HookOutcome>;
}

export type HookArgs<K extends EventName> = [event: EventsByName[K], record: DispatchRecord];
export type EventHook<K extends EventName> = AsyncParallelHook<HookArgs<K>>;
export type Hooks = { readonly [K in EventName]: EventHook<K> };

/** An interceptor for every hook at once: it sees events of any kind. */
export type DispatchInterceptor = HookInterceptor<[BbEvent, DispatchRecord], void>;

/** What a tap runs: any event, since one function serves all four hooks. */
export type TapFunction = (event: BbEvent, record: DispatchRecord) => Promise<void>;

export function createHooks(): Hooks {
  return Object.freeze({
    buildStarted: new AsyncParallelHook<HookArgs<'buildStarted'>>(['event', 'record'], 'buildStarted'),
    buildFinished: new AsyncParallelHook<HookArgs<'buildFinished'>>(['event', 'record'], 'buildFinished'),
    buildsetFinished: new AsyncParallelHook<HookArgs<'buildsetFinished'>>(['event', 'record'], 'buildsetFinished'),
    workerMissing: new AsyncParallelHook<HookArgs<'workerMissing'>>(['event', 'record'], 'workerMissing'),
  });
}

/** Calls the hook of `event`'s kind; the switch keeps each call typed. */
export function callHook(hooks: Hooks, event: BbEvent, record: DispatchRecord): Promise<void> {
  switch (event.event) {
    case 'buildStarted':
      return hooks.buildStarted.promise(event, record);
    case 'buildFinished':
      return hooks.buildFinished.promise(event, record);
    case 'buildsetFinished':
      return hooks.buildsetFinished.promise(event, record);
    case 'workerMissing':
      return hooks.workerMissing.promise(event, record);
  }
}

/** Taps `fn` onto the hook `name`. */
export function tapHook(hooks: Hooks, name: EventName, tapName: string, fn: TapFunction): void {
  switch (name) {
    case 'buildStarted':
      return hooks.buildStarted.tapPromise(tapName, fn);
    case 'buildFinished':
      return hooks.buildFinished.tapPromise(tapName, fn);
    case 'buildsetFinished':
      return hooks.buildsetFinished.tapPromise(tapName, fn);
    case 'workerMissing':
      return hooks.workerMissing.tapPromise(tapName, fn);
  }
}

/** Adds `interceptor` to every hook (its `register` also wraps the taps already made). */
export function interceptHooks(hooks: Hooks, interceptor: DispatchInterceptor): void {
  hooks.buildStarted.intercept(interceptor);
  hooks.buildFinished.intercept(interceptor);
  hooks.buildsetFinished.intercept(interceptor);
  hooks.workerMissing.intercept(interceptor);
}
