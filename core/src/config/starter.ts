/**
 * The starter config `bbreporters init` writes: an http source on loopback and one entry per
 * installed reporter plugin. A plugin that runs without options is enabled; one with required
 * options is written commented out, its required options as placeholders, so the file passes
 * `bbreporters check` as written and each entry says what to fill in.
 */
import { isBbrError } from '../diagnostics/errors.js';
import { installedPlugins, type InstalledPlugin } from '../loader/installed-plugins.js';
import { optionsValidator } from '../loader/manifest.js';
import { shortName, type ResolvedPlugin } from '../loader/resolve.js';
import type { PluginManifest } from '../generated/schemas.js';
import { checkConfig } from './load.js';

export const STARTER_LISTEN = '127.0.0.1:8020';

export interface StarterConfig {
  text: string;
  /** Reporters enabled as written. */
  enabled: string[];
  /** Reporters written commented out, until their options are filled in. */
  commentedOut: string[];
}

type Schema = Record<string, unknown> & { properties?: Record<string, Schema>; required?: string[] };

/** The config text for a file in `configDir`, with the plugins installed where that file resolves them. */
export function starterConfig(configDir: string): StarterConfig {
  const enabled: string[] = [];
  const commentedOut: string[] = [];
  // Enabled entries first, then the ones waiting for options, then plugins left out.
  const entries: string[] = [];
  const waiting: string[] = [];
  const leftOut: string[] = [];
  for (const installed of installedPlugins(configDir)) {
    if (!installed.manifest) {
      leftOut.push(
        `  # ${installed.plugin.packageName} is left out: ${oneLine(installed.problem ?? 'invalid manifest')}`,
      );
      continue;
    }
    const spec = pluginSpec(installed);
    if (runsWithoutOptions(spec, configDir)) {
      enabled.push(spec);
      entries.push(`  - plugin: ${spec}`);
    } else {
      commentedOut.push(spec);
      waiting.push(...commentedEntry(installed.plugin, installed.manifest, spec));
    }
  }
  const lines = [
    '# bbreporters config, written by "bbreporters init". Editors complete and check it with the schema',
    '# below (after installing a plugin, renew it: "bbreporters schema > bbreporters.schema.json").',
    '# yaml-language-server: $schema=bbreporters.schema.json',
    '# "bbreporters check" validates it; "bbreporters run" starts the service.',
    'sources:',
    '  # Buildbot\'s HttpStatusPush (or curl, or "bbreporters emit") POSTs builds here. Loopback only, so no',
    '  # credentials are needed; to listen on another address, add token: "${BBR_TOKEN}" and export BBR_TOKEN.',
    '  - type: http',
    `    listen: ${STARTER_LISTEN}`,
    enabled.length
      ? 'reporters:'
      : waiting.length
        ? 'reporters: [] # nothing runs without options yet: fill in an entry below, uncomment it and remove the []'
        : 'reporters: [] # no reporter plugins are installed here; install one, e.g.: npm install @bbreporters/console',
    ...entries,
    ...waiting,
    ...leftOut,
  ];
  return { text: `${lines.join('\n')}\n`, enabled, commentedOut };
}

/** `console` for `@bbreporters/console`; other packages by their full name. */
function pluginSpec({ plugin }: InstalledPlugin): string {
  return plugin.packageName.startsWith('@bbreporters/') ? shortName(plugin.packageName) : plugin.packageName;
}

/** Whether an entry with no options passes the same check `bbreporters check` makes. */
function runsWithoutOptions(spec: string, configDir: string): boolean {
  try {
    checkConfig({ reporters: [{ plugin: spec }] }, { configDir, env: {} });
    return true;
  } catch (error) {
    if (isBbrError(error)) return false;
    throw error;
  }
}

function commentedEntry(plugin: ResolvedPlugin, manifest: PluginManifest, spec: string): string[] {
  const version = plugin.packageJson.version ? ` ${plugin.packageJson.version}` : '';
  const lines = [
    `  # ${plugin.packageName}${version}: fill in its options (its README lists them all), then uncomment.`,
    `  # - plugin: ${spec}`,
  ];
  let schema: Schema;
  try {
    schema = optionsValidator(plugin, manifest).schema as Schema;
  } catch {
    return lines;
  }
  const required = requiredOptions(schema);
  if (!required.length) return lines;
  lines.push('  #   options:');
  for (const name of required) {
    const option = schema.properties?.[name] ?? {};
    const description = typeof option.description === 'string' ? `  # ${firstSentence(option.description)}` : '';
    lines.push(`  #     ${name}: ${placeholder(spec, name, option)}${description}`);
  }
  return lines;
}

/** The schema's required options; where it requires one of several sets (`anyOf`), the first set. */
function requiredOptions(schema: Schema): string[] {
  const alternatives = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
  const firstSet = Array.isArray(alternatives) ? (alternatives[0]?.required ?? []) : [];
  return [...new Set([...(schema.required ?? []), ...firstSet])];
}

/** A secret comes from the environment (`${GITHUB_TOKEN}`), as docs/config.md#secrets advises; others get an empty value of their type. */
function placeholder(spec: string, name: string, option: Schema): string {
  if (option['x-secret'] === true)
    return `\${${`${shortName(spec)}_${name}`.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}}`;
  if (Array.isArray(option.examples) && option.examples.length) return JSON.stringify(option.examples[0]);
  switch (option.type) {
    case 'array':
      return '[]';
    case 'object':
      return '{}';
    case 'integer':
    case 'number':
      return '0';
    case 'boolean':
      return 'false';
    default:
      return '""';
  }
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function firstSentence(text: string): string {
  const line = oneLine(text);
  const end = line.search(/(?<!\b(?:e\.g|i\.e))\.(\s|$)/);
  return end === -1 ? line : line.slice(0, end + 1);
}
