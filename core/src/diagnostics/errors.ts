/**
 * The error catalogue: every error core raises has a stable code (`BBR_…`), a message that says
 * what is wrong and where, and an entry here with the cause, the fix and a short example, which
 * `bbreporters explain CODE` prints: an installed package has no docs folder to point at.
 * Codes are plain strings, so they survive duplicate copies of core in one process (a plugin with
 * its own nested core), and BbrError carries core's error brand.
 */
import { ERROR_BRAND, hasErrorBrand } from './brand.js';

export interface CatalogueEntry {
  /** What happened, in one sentence (the line `bbreporters explain` lists). */
  cause: string;
  /** What to do about it. */
  fix: string;
  /** A short example: the wrong and the right form (YAML or a command), or a typical message. */
  example: string;
  /** The page of the repository's docs/ that says more. */
  docs: string;
}

export const errorCatalogue = {
  BBR_CONFIG_INVALID: {
    cause: 'The config file is valid YAML, but some entries break its rules (unknown key, wrong type, missing value).',
    fix: 'Correct each listed entry at its file:line:column; "did you mean" names the key or value meant. `bbreporters check --config FILE` checks again without running anything.',
    example: [
      '# wrong: "stram" is not a key of the console reporter',
      'reporters:',
      '  - plugin: console',
      '    options: { stram: stderr }',
      '# right',
      'reporters:',
      '  - plugin: console',
      '    options: { stream: stderr }',
    ].join('\n'),
    docs: 'docs/config.md',
  },
  BBR_CONFIG_READ: {
    cause: 'The config file could not be read, or is not valid YAML.',
    fix: 'Check the path given to --config (relative paths start at the current folder) and fix the YAML at the position shown.',
    example: ['# wrong: the quote is never closed', 'title: "Example CI', '# right', 'title: "Example CI"'].join('\n'),
    docs: 'docs/config.md',
  },
  BBR_CONFIG_EXISTS: {
    cause: '`bbreporters init` was asked to write a config file that already exists.',
    fix: 'Pass --force to replace it, or --config with another file name.',
    example: [
      '$ bbreporters init                         # bbreporters.yaml exists: refused',
      '$ bbreporters init --config staging.yaml   # a new file',
      '$ bbreporters init --force                 # replaces bbreporters.yaml',
    ].join('\n'),
    docs: 'docs/cli.md#init',
  },
  BBR_ENV_MISSING: {
    cause: 'The config refers to an environment variable with ${NAME} that is not set.',
    fix: 'Export the variable before starting bbreporters, or remove the ${NAME} reference.',
    example: [
      '# the config says',
      'options: { token: "${GITHUB_TOKEN}" }',
      '# so start it with the variable set',
      '$ GITHUB_TOKEN=ghp_… bbreporters run --config bbreporters.yaml',
    ].join('\n'),
    docs: 'docs/config.md#environment',
  },
  BBR_EVENT_INVALID: {
    cause: 'An event (posted to the http source, replayed, or given to preview) is not a valid build event.',
    fix: 'Send an envelope {"event": NAME, "payload": {...}} or the body Buildbot\'s HttpStatusPush posts; the listed fields say what is missing or wrong.',
    example: [
      '# wrong: no event name',
      '{"payload": {"buildid": 7}}',
      '# right',
      '{"event": "buildFinished", "payload": {"buildid": 7, "number": 3, "builderid": 1, "results": 0, ...}}',
    ].join('\n'),
    docs: 'docs/events.md',
  },
  BBR_PLUGIN_NOT_FOUND: {
    cause: "A reporter's `plugin` names a package that is not installed where the config file can find it.",
    fix: "Install the package in the config file's folder (or a parent folder) with npm, or correct the name; the message gives the npm install command.",
    example: [
      '# the config says',
      'reporters:',
      '  - plugin: github',
      '# so install it next to the config file',
      '$ npm install @bbreporters/github',
    ].join('\n'),
    docs: 'docs/plugins.md#installing',
  },
  BBR_PLUGIN_MANIFEST: {
    cause:
      'The plugin package has no valid `bbreporter` manifest in its package.json, or its options schema is missing or not a JSON Schema.',
    fix: "The plugin's author fixes its package.json (`bbreporters list` shows every installed plugin's manifest problems); as a user, install a fixed version.",
    example: [
      '// package.json of a plugin',
      '"bbreporter": {',
      '  "apiVersion": 1,',
      '  "hooks": ["buildFinished"],',
      '  "optionsSchema": "schema/options.schema.json"',
      '}',
    ].join('\n'),
    docs: 'docs/plugin-authors.md#manifest',
  },
  BBR_PLUGIN_API_VERSION: {
    cause: 'The plugin was written for another version of the plugin API than this @bbreporters/core implements.',
    fix: 'Install a plugin version built for this core, or the core version the plugin was built for.',
    example: ['$ npm ls @bbreporters/core', '$ npm install @bbreporters/core@latest @bbreporters/github@latest'].join(
      '\n',
    ),
    docs: 'docs/plugin-authors.md#api-version',
  },
  BBR_PLUGIN_OPTIONS: {
    cause: "A reporter's options do not match what its plugin accepts.",
    fix: "Correct the reporter's `options` in the config file; the plugin's README lists every option.",
    example: [
      '# wrong: verbose is a boolean',
      'reporters:',
      '  - plugin: github',
      '    options: { token: "${GITHUB_TOKEN}", verbose: "yes" }',
      '# right',
      'reporters:',
      '  - plugin: github',
      '    options: { token: "${GITHUB_TOKEN}", verbose: true }',
    ].join('\n'),
    docs: 'docs/config.md#reporters',
  },
  BBR_PLUGIN_ENTRY: {
    cause: "The plugin's entry file is missing, fails to import, or does not export a plugin.",
    fix: 'Build the plugin (its entry file is named by package.json `main` or `exports`), and make it default-export definePlugin({ setup }).',
    example: [
      "import { definePlugin } from '@bbreporters/core';",
      'export default definePlugin({',
      '  setup(options, ctx) {',
      '    return { buildFinished(event) { /* … */ } };',
      '  },',
      '});',
    ].join('\n'),
    docs: 'docs/plugin-authors.md#entry',
  },
  BBR_PLUGIN_SETUP: {
    cause: "A reporter's setup() threw or did not finish within setupTimeout.",
    fix: "Read the reporter's reason in the message (a credential, a host, a file it needs); raise setupTimeout only when setup is slow for a good reason.",
    example: [
      'BBR_PLUGIN_SETUP: reporter "mail" (@bbreporters/mail): setup() failed: …',
      '# a slow setup is given more time with',
      'setupTimeout: 30000',
    ].join('\n'),
    docs: 'docs/plugin-authors.md#setup',
  },
  BBR_PLUGIN_HOOKS: {
    cause: "The handlers a plugin's setup() returned differ from the hooks its manifest lists.",
    fix: "Make setup() return exactly one function per hook in the manifest's `hooks` (plus send, authorize, close or needs).",
    example: [
      '// manifest: "hooks": ["buildStarted", "buildFinished"]',
      '// so setup() returns',
      'return { buildStarted(event) { … }, buildFinished(event) { … } };',
    ].join('\n'),
    docs: 'docs/plugin-authors.md#hooks',
  },
  BBR_REPORTER_NAME: {
    cause: 'Two reporters have the same name (a reporter without `name` is named after its plugin).',
    fix: 'Give each reporter of the same plugin its own `name`.',
    example: [
      '# wrong: both are named "github"',
      'reporters:',
      '  - plugin: github',
      '    options: { token: "${GITHUB_TOKEN}" }',
      '  - plugin: github',
      '    options: { token: "${GITHUB_TOKEN}", baseURL: https://github.example.org/api/v3 }',
      '# right',
      'reporters:',
      '  - plugin: github',
      '    options: { token: "${GITHUB_TOKEN}" }',
      '  - plugin: github',
      '    name: github-enterprise',
      '    options: { token: "${GITHUB_TOKEN}", baseURL: https://github.example.org/api/v3 }',
    ].join('\n'),
    docs: 'docs/config.md#reporters',
  },
  BBR_TLS_CA: {
    cause: "A reporter's tls.ca file cannot be read or holds no PEM certificate.",
    fix: "Point the reporter's tls.ca at a readable PEM file (relative to the config file), or give the PEM text itself.",
    example: ['reporters:', '  - plugin: gitlab', '    tls: { ca: ./certs/internal-ca.pem }'].join('\n'),
    docs: 'docs/http.md#tls',
  },
  BBR_MODULE_REFERENCE: {
    cause:
      'A module reference in the config (a callback written ./file.mjs#name) names a file or export that does not exist.',
    fix: 'Write module references as ./file.mjs#exportName, relative to the config file, naming an exported function.',
    example: [
      '# wrong: no file part',
      'options: { reviewCB: "#review" }',
      '# right: hooks.mjs beside the config exports `review`',
      'options: { reviewCB: "./hooks.mjs#review" }',
    ].join('\n'),
    docs: 'docs/config.md#module-references',
  },
  BBR_FORMATTER_OPTIONS: {
    cause: "A reporter's message formatter options (template, template_type, template_dir, subject) are wrong.",
    fix: "Correct the reporter's formatter options: a known template_type, a readable template_dir, a one-line subject.",
    example: [
      '# wrong: a subject is one line',
      'messageFormatter: { subject: "Build\\nfailed" }',
      '# right',
      'messageFormatter: { subject: "Build <%= buildername %> failed" }',
    ].join('\n'),
    docs: 'docs/formatter.md#options',
  },
  BBR_TEMPLATE: {
    cause: 'A message template failed while rendering an event (it refers to something that event lacks, or throws).',
    fix: 'Fix the named template, for example guard values an event may lack; other reporters are not affected.',
    example: [
      '# wrong: fails for builds without a blamelist',
      '<%= blamelist[0].toUpperCase() %>',
      '# right',
      "<%= (blamelist[0] ?? '').toUpperCase() %>",
    ].join('\n'),
    docs: 'docs/formatter.md#templates',
  },
  BBR_STATE_DIR: {
    cause:
      'The state folder (build history and the delivery ledger) cannot be created or written, or its ledger cannot be opened (no ledger yet for the CLI, or one written by a newer bbreporters).',
    fix: 'Point stateDir at a folder the service can create and write, relative to the config file.',
    example: [
      '# in the config file',
      'stateDir: /var/lib/bbreporters',
      '$ sudo chown bbreporters /var/lib/bbreporters',
    ].join('\n'),
    docs: 'docs/config.md#state',
  },
  BBR_LEDGER_NOT_FOUND: {
    cause:
      'The delivery, event or reporter named is not in the delivery ledger (stateDir/ledger.sqlite): a mistyped id, one retention deleted, or a reporter not in the running config.',
    fix: "List what the ledger holds and copy the id from there; check --config points at the service's config (its stateDir).",
    example: ['$ bbreporters deliveries list --state dead', '$ bbreporters events list'].join('\n'),
    docs: 'docs/operations.md#the-delivery-ledger',
  },
  BBR_SOURCE_START: {
    cause:
      'A source could not start: the http address is in use, the replay file is unreadable, or the Buildbot master is unreachable.',
    fix: 'Check the source named in the message: free the address or pick another `listen`, fix the file path, or check the master URL.',
    example: [
      '# the port is taken by another process: use another one',
      'sources:',
      '  - type: http',
      '    listen: 127.0.0.1:8021',
    ].join('\n'),
    docs: 'docs/sources.md',
  },
  BBR_SERVICE_NOT_RUNNING: {
    cause:
      '`bbreporters reload` found no running service for the config: its state folder has no bbreporters.pid, or the process it names is gone (a stale file left by a crash).',
    fix: 'Start the service with `bbreporters run --config FILE` (it writes <stateDir>/bbreporters.pid), or give `reload` the same config file the service runs with, so both use the same stateDir.',
    example: [
      '# the service and reload must read the same config (same stateDir)',
      'bbreporters run --config /etc/bbreporters.yaml &',
      'bbreporters reload --config /etc/bbreporters.yaml',
    ].join('\n'),
    docs: 'docs/operations.md#reload',
  },
  BBR_BUILDBOT_AUTH: {
    cause: "The Buildbot master refused the buildbot source's credentials (HTTP 401 or 403).",
    fix: "Set the buildbot source's user and password (or token) to an account the master's www auth accepts.",
    example: [
      'sources:',
      '  - type: buildbot',
      '    url: https://ci.example.org/',
      '    user: bbreporters',
      '    password: "${BUILDBOT_PASSWORD}"',
    ].join('\n'),
    docs: 'docs/buildbot-source.md#authentication',
  },
  BBR_BUILDBOT_API: {
    cause: "The Buildbot master's REST API answered with an error or something that is not its API.",
    fix: "Check the master's URL (its web UI root, not /api/v2) and that the REST API answers; the master's twistd.log says more.",
    example: [
      '# wrong: the API path is added by bbreporters',
      'url: https://ci.example.org/api/v2/',
      '# right',
      'url: https://ci.example.org/',
    ].join('\n'),
    docs: 'docs/buildbot-source.md',
  },
} as const satisfies Record<string, CatalogueEntry>;

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

  /** The message, each detail on its own line, the fix, and the command that explains the code. */
  describe(): string {
    const lines = [`${this.code}: ${this.message}`];
    for (const d of this.details) lines.push(`  ${d.location ? `${d.location} ` : ''}${d.path}: ${d.message}`);
    lines.push(`  fix: ${this.fix}`);
    // A command, not a docs path: an installed package has no docs folder.
    lines.push(`  see: bbreporters explain ${this.code}`);
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
