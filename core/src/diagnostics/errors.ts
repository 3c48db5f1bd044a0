/**
 * The error catalogue: every error core raises has a stable code (`BBR_…`), a message that says
 * what is wrong and where, and a fix. Codes are plain strings, so they survive duplicate copies
 * of core in one process (a plugin with its own nested core), and BbrError carries core's error brand.
 */
import { ERROR_BRAND, hasErrorBrand } from './brand.js';

export const errorCatalogue = {
  BBR_CONFIG_INVALID: { fix: 'Correct the listed entries of the config file.', docs: 'docs/config.md' },
  BBR_CONFIG_READ: { fix: 'Check the path and that the file is valid YAML.', docs: 'docs/config.md' },
  BBR_CONFIG_EXISTS: {
    fix: 'Pass --force to replace it, or --config with another file name.',
    docs: 'docs/cli.md#init',
  },
  BBR_ENV_MISSING: { fix: 'Export the variable or remove the ${NAME} reference.', docs: 'docs/config.md#environment' },
  BBR_EVENT_INVALID: {
    fix: 'Send an envelope {event, payload} or a Buildbot HttpStatusPush body.',
    docs: 'docs/events.md',
  },
  BBR_PLUGIN_NOT_FOUND: { fix: 'Install the plugin next to the config file.', docs: 'docs/plugins.md#installing' },
  BBR_PLUGIN_MANIFEST: {
    fix: "Fix the plugin's package.json `bbreporter` manifest.",
    docs: 'docs/plugin-authors.md#manifest',
  },
  BBR_PLUGIN_API_VERSION: {
    fix: 'Install a plugin version built for this core, or upgrade core.',
    docs: 'docs/plugin-authors.md#api-version',
  },
  BBR_PLUGIN_OPTIONS: { fix: "Correct the reporter's options in the config file.", docs: 'docs/config.md#reporters' },
  BBR_PLUGIN_ENTRY: {
    fix: 'The plugin entry must default-export definePlugin({ setup }).',
    docs: 'docs/plugin-authors.md#entry',
  },
  BBR_PLUGIN_SETUP: { fix: "See the reporter's error; its setup() failed.", docs: 'docs/plugin-authors.md#setup' },
  BBR_PLUGIN_HOOKS: {
    fix: "setup() must return exactly the handlers listed in the manifest's `hooks`.",
    docs: 'docs/plugin-authors.md#hooks',
  },
  BBR_REPORTER_NAME: { fix: 'Give each reporter a unique `name`.', docs: 'docs/config.md#reporters' },
  BBR_TLS_CA: {
    fix: "Point the reporter's tls.ca at a readable PEM file (relative to the config file), or give the PEM text.",
    docs: 'docs/http.md#tls',
  },
  BBR_MODULE_REFERENCE: {
    fix: 'Write module references as ./file.mjs#exportName, relative to the config file, naming an exported function.',
    docs: 'docs/config.md#module-references',
  },
  BBR_FORMATTER_OPTIONS: {
    fix: "Correct the reporter's message formatter options (templates, template_dir, subject).",
    docs: 'docs/formatter.md#options',
  },
  BBR_TEMPLATE: {
    fix: 'Fix the named template; other reporters are not affected.',
    docs: 'docs/formatter.md#templates',
  },
  BBR_STATE_DIR: {
    fix: 'Point stateDir at a folder the service can create and write (it holds the build history and unsent deliveries).',
    docs: 'docs/config.md#state',
  },
  BBR_SOURCE_START: {
    fix: 'Check the source: is the address free, the file readable, the master reachable?',
    docs: 'docs/sources.md',
  },
  BBR_BUILDBOT_AUTH: {
    fix: "Check the buildbot source's user and password (or token) against the master's www auth.",
    docs: 'docs/buildbot-source.md#authentication',
  },
  BBR_BUILDBOT_API: {
    fix: "Check the master's URL and that its REST API (api/v2) answers; see the master's twistd.log.",
    docs: 'docs/buildbot-source.md',
  },
} as const;

export type ErrorCode = keyof typeof errorCatalogue;

/** One located problem (a config entry, an event field) inside a larger error. */
export interface ErrorDetail {
  /** JSON path such as `reporters[0].options.mode`, or `/payload/buildid` for events. */
  path: string;
  message: string;
  /** file:line:column when the input came from a file. */
  location?: string;
}

export class BbrError extends Error {
  readonly [ERROR_BRAND] = 'BbrError';
  readonly code: ErrorCode;
  readonly fix: string;
  readonly docs: string;
  readonly details: ErrorDetail[];

  constructor(code: ErrorCode, message: string, options: { details?: ErrorDetail[]; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'BbrError';
    this.code = code;
    this.fix = errorCatalogue[code].fix;
    this.docs = errorCatalogue[code].docs;
    this.details = options.details ?? [];
  }

  /** The message, each detail on its own line, and the fix. */
  describe(): string {
    const lines = [`${this.code}: ${this.message}`];
    for (const d of this.details) lines.push(`  ${d.location ? `${d.location} ` : ''}${d.path}: ${d.message}`);
    lines.push(`  fix: ${this.fix} (${this.docs})`);
    return lines.join('\n');
  }
}

/** True for a BbrError from any copy of core. */
export function isBbrError(error: unknown): error is BbrError {
  return hasErrorBrand(error, 'BbrError');
}

/** A readable one-line reason for anything thrown. */
export function reasonOf(error: unknown): string {
  if (error instanceof Error) return `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}`;
  return `non-Error thrown: ${String(error)}`;
}
