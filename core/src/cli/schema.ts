/**
 * `bbreporters schema`: the config schema with each installed plugin's options schema wired in
 * (by the reporter's `plugin`), for editors: point yaml-language-server at the output. The output is
 * one self-contained schema (every `$ref` local), because editors fetch no other schema files.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { reasonOf } from '../diagnostics/errors.js';
import { shortName } from '../loader/resolve.js';
import { bundleSchema, type SchemaResource } from '../contracts/bundle.js';
import { readSchema, schemaBase, schemaFiles } from '../contracts/schemas.js';
import { exitCodes, write, type Command } from './command.js';
import { installedPlugins } from '../loader/installed-plugins.js';
import { pluginFolder, pluginFolderOptions } from './plugin-folder.js';

/** The file name `init` writes and the docs' `yaml-language-server` line names. */
export const EDITOR_SCHEMA_FILE = 'bbreporters.schema.json';

export const schemaCommand: Command = {
  name: 'schema',
  summary: "Print the config JSON Schema including the installed plugins' options, for editors",
  usage:
    'bbreporters schema [--config FILE | --dir DIR] > bbreporters.schema.json\n\n' +
    'Then start the config file with: # yaml-language-server: $schema=bbreporters.schema.json',
  options: pluginFolderOptions,
  optionHelp: {
    config: 'Include the plugins this config file would find (they resolve from its folder).',
    dir: 'Include the plugins found from this folder (default: the current folder).',
  },
  async run(values, _positionals, io) {
    const { schema, warnings } = editorSchema(pluginFolder(values));
    for (const warning of warnings) write(io.stderr, `warning: ${warning}`);
    write(io.stdout, JSON.stringify(schema, null, 2));
    return exitCodes.ok;
  },
};

type Schema = Record<string, unknown>;

/** A `$defs` key from a name: only characters every JSON pointer and URI fragment keeps as they are. */
const defKey = (prefix: string, name: string) => `${prefix}.${name.replace(/^@/, '').replace(/[^A-Za-z0-9_-]+/g, '.')}`;

/**
 * The config schema with core's other schemas and each installed plugin's options schema embedded,
 * every `$ref` made local. `warnings` name the plugins (or the parts of them) editors cannot check.
 */
export function editorSchema(fromDir: string): { schema: Schema; warnings: string[] } {
  const warnings: string[] = [];
  const config = readSchema('config.schema.json') as Schema;
  const resources: SchemaResource[] = schemaFiles
    .filter((file) => file !== 'config.schema.json')
    .map((file) => ({
      key: defKey('bbreporters', file.replace('.schema.json', '')),
      schema: readSchema(file) as Schema,
      baseUri: new URL(file, schemaBase).href,
    }));
  const filters = readSchema('filters.schema.json') as { $id: string };
  /** The package owning each options schema, by the schema's base URI and by its `$defs` key. */
  const ownerOfUri = new Map<string, string>();
  const ownerOfKey = new Map<string, string>();
  const branches: Schema[] = [];
  for (const { plugin, manifest } of installedPlugins(fromDir)) {
    if (!manifest) continue;
    const file = join(plugin.dir, manifest.optionsSchema);
    let options: Schema;
    try {
      options = JSON.parse(readFileSync(file, 'utf8')) as Schema;
    } catch (error) {
      warnings.push(`${plugin.packageName}: left out, its options schema ${file} is unreadable: ${reasonOf(error)}`);
      continue;
    }
    const baseUri = new URL(typeof options.$id === 'string' ? options.$id : '', pathToFileURL(file)).href;
    const owner = ownerOfUri.get(baseUri);
    if (owner) {
      warnings.push(`${plugin.packageName}: left out, its options schema has the $id of ${owner}'s (${baseUri})`);
      continue;
    }
    ownerOfUri.set(baseUri, plugin.packageName);
    let key = defKey('plugin', plugin.packageName);
    while (resources.some((r) => r.key === key)) key += '_';
    // The reporter's options: the plugin's own plus core's filters the plugin accepts, in one
    // object schema so its additionalProperties: false still sees the filters as allowed.
    const accepted = Object.fromEntries(
      (manifest.filters ?? []).map((f) => [f, { $ref: `${filters.$id}#/properties/${f}` }]),
    );
    resources.push({
      key,
      schema: { ...options, properties: { ...(options.properties as Schema | undefined), ...accepted } },
      baseUri: pathToFileURL(file).href,
    });
    ownerOfKey.set(key, plugin.packageName);
    branches.push({
      if: {
        properties: { plugin: { enum: [...new Set([shortName(plugin.packageName), plugin.packageName])] } },
        required: ['plugin'],
      },
      then: { properties: { options: { $ref: `#/$defs/${key}` } } },
    });
  }
  const defs = config.$defs as Record<string, Schema>;
  const root = {
    ...config,
    $defs: { ...defs, reporter: { ...defs.reporter, ...(branches.length ? { allOf: branches } : {}) } },
  };
  const { schema, unresolved } = bundleSchema(root, String(config.$id), resources);
  for (const { at, ref } of unresolved) {
    const key = /^\/\$defs\/([^/]+)/.exec(at)?.[1];
    const owner = (key && ownerOfKey.get(key)) ?? 'core';
    warnings.push(
      `${owner}: $ref "${ref}" (at ${at}) names no schema this command embeds; editors accept anything there`,
    );
  }
  return { schema, warnings };
}
