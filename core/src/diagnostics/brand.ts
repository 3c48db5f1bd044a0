/**
 * Error brands: every error class a plugin may test carries its kind under a registered symbol,
 * the same in every copy of core. A plugin that ships its own nested core still recognises
 * core's errors, where `instanceof` would compare two different classes and say no.
 */
export const ERROR_BRAND = Symbol.for('bbreporters.error');

/** True when `value` is an error branded `kind` by any copy of core. */
export function hasErrorBrand(value: unknown, kind: string): boolean {
  return typeof value === 'object' && value !== null && (value as { [ERROR_BRAND]?: unknown })[ERROR_BRAND] === kind;
}
