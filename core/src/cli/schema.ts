/**
 * `bbreporters schema`: the config schema with each installed plugin's options schema wired in
 * (by the reporter's `plugin`), for editors: point yaml-language-server at the output.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { shortName } from '../loader/resolve.js';
import { readSchema, schemaFiles } from '../contracts/schemas.js';
import { exitCodes, write, type Command } from './command.js';
import { installedPlugins } from '../loader/installed-plugins.js';
import { pluginFolder, pluginFolderOptions } from './plugin-folder.js';

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
    const from = pluginFolder(values);
    write(io.stdout, JSON.stringify(editorSchema(from), null, 2));
    return exitCodes.ok;
  },
};

type Schema = Record<string, unknown>;

/** The config schema, with core's other schemas and each valid plugin's options schema embedded. */
export function editorSchema(fromDir: string): Schema {
  const config = readSchema('config.schema.json') as Schema;
  const defs = { ...(config.$defs as Record<string, Schema>) };
  // Embedded resources keep their $id, so their own "#/…" references still resolve.
  for (const file of schemaFiles) if (file !== 'config.schema.json') defs[`core:${file}`] = readSchema(file) as Schema;
  const filters = readSchema('filters.schema.json') as { $id: string; properties: Record<string, unknown> };
  const branches: Schema[] = [];
  for (const { plugin, manifest } of installedPlugins(fromDir)) {
    if (!manifest) continue;
    let options: Schema;
    try {
      options = JSON.parse(readFileSync(join(plugin.dir, manifest.optionsSchema), 'utf8')) as Schema;
    } catch {
      continue;
    }
    const key = `plugin:${plugin.packageName}`;
    // The reporter's options: the plugin's own plus core's filters the plugin accepts, in one
    // object schema so its additionalProperties: false still sees the filters as allowed.
    const accepted = Object.fromEntries(
      (manifest.filters ?? []).map((f) => [f, { $ref: `${filters.$id}#/properties/${f}` }]),
    );
    defs[key] = { ...options, properties: { ...(options.properties as Schema | undefined), ...accepted } };
    const optionsRef = typeof options.$id === 'string' ? options.$id : `#/$defs/${encodeURIComponent(key)}`;
    branches.push({
      if: {
        properties: { plugin: { enum: [...new Set([shortName(plugin.packageName), plugin.packageName])] } },
        required: ['plugin'],
      },
      then: { properties: { options: { $ref: optionsRef } } },
    });
  }
  const reporter = { ...(defs.reporter as Schema), ...(branches.length ? { allOf: branches } : {}) };
  defs.reporter = reporter;
  return { ...config, $defs: defs };
}
