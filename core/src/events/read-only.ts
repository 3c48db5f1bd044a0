/**
 * Events are read-only for reporters: core hands one event to every reporter, so a handler that
 * changed it would change what the others see. The event is deep-frozen before dispatch (cheaper
 * than a copy per reporter, and a copy-free proxy would break `structuredClone(event)`).
 */
import type { BbEvent } from './events.js';

/** Freezes `event` and everything it holds, in place; returns it. */
export function freezeEvent<E extends BbEvent>(event: E): Readonly<E> {
  return deepFreeze(event);
}

function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  Object.freeze(value);
  // Arrays by index: no array of key strings per array of an event that is walked on every dispatch.
  if (Array.isArray(value)) for (const item of value) deepFreeze(item);
  else for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  return value;
}

/** True for the TypeError a strict-mode write to a frozen object throws. */
export function isReadOnlyViolation(error: unknown): boolean {
  return (
    error instanceof TypeError &&
    /read[- ]only|not extensible|Cannot (assign|add|delete|define)|frozen/i.test(error.message)
  );
}
