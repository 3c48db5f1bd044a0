/* DO NOT EDIT: generated from schema/options.schema.json by npm run gen. */

/**
 * Options of {{name}}. This schema is the contract: core validates users' options against it before importing the plugin, and `npm run gen` turns it into src/generated/options.ts.
 */
export interface {{pascal}}Options {
  /**
   * Where messages go (a channel, a URL, a room…).
   */
  target?: string;
  /**
   * Put in front of every message.
   */
  prefix?: string;
  /**
   * A credential for the service: marked x-secret, so core masks it in logs, errors and previews.
   */
  token?: string;
}
