/** `bbreporters list`: the installed plugin packages and whether their manifests are valid. */
import { alignedColumns } from './table.js';
import { shortName } from '../loader/resolve.js';
import { exitCodes, write, type Command } from './command.js';
import { installedPlugins } from '../loader/installed-plugins.js';
import { pluginFolder, pluginFolderOptions } from './plugin-folder.js';

export const listCommand: Command = {
  name: 'list',
  summary: 'List installed reporter plugins and whether their manifests are valid',
  usage: 'bbreporters list [--config FILE | --dir DIR]',
  options: pluginFolderOptions,
  optionHelp: {
    config: 'List the plugins this config file would find (they resolve from its folder).',
    dir: 'List the plugins found from this folder (default: the current folder).',
  },
  async run(values, _positionals, io) {
    const from = pluginFolder(values);
    const plugins = installedPlugins(from);
    if (!plugins.length) {
      write(
        io.stdout,
        `no bbreporters plugins installed (searched node_modules up from ${from}). Install one, e.g.: npm install @bbreporters/console`,
      );
      return exitCodes.ok;
    }
    // Columns as wide as the longest name: plugin names keep growing (bitbucket-server-pr-comment).
    const rows = plugins.map(({ plugin, manifest, problem }) => [
      shortName(plugin.packageName),
      `${plugin.packageName}@${plugin.packageJson.version ?? '?'}`,
      manifest ? 'ok' : 'INVALID',
      manifest ? `hooks: ${manifest.hooks.join(', ')}` : String(problem),
    ]);
    write(io.stdout, alignedColumns(rows));
    return plugins.every((p) => p.manifest) ? exitCodes.ok : exitCodes.invalid;
  },
};
