/** What one config file may hold: far beyond any real config; more is a mistake, or an attempt to exhaust memory. */

/** Bytes of the file. */
export const MAX_CONFIG_BYTES = 4 * 1024 * 1024;
/** YAML aliases one config may expand. */
export const MAX_ALIAS_COUNT = 100;
/** Reporters one config may hold. */
export const MAX_REPORTERS = 1000;
