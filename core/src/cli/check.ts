/** `bbreporters check`: validates the config and every reporter's options; never imports plugin code. */
import { loadConfig, type LoadedConfig } from '../config/load.js';
import { describeSource } from '../sources/factory.js';
import { exitCodes, write, type Command } from './command.js';
import { configFile, configOption, configOptionHelp } from './config-file.js';
import { reportError } from './errors.js';

export const checkCommand: Command = {
  name: 'check',
  summary: "Validate a config file and its reporters' options (imports no plugin code)",
  usage: 'bbreporters check [--config FILE]',
  options: configOption,
  optionHelp: { config: configOptionHelp },
  async run(values, _positionals, io) {
    const file = configFile(values);
    let loaded: LoadedConfig;
    try {
      loaded = loadConfig(file, { env: io.env });
    } catch (error) {
      return reportError(error, io);
    }
    write(io.stdout, describeConfig(file, loaded));
    for (const warning of loaded.warnings) write(io.stderr, `warning: ${warning}`);
    return exitCodes.ok;
  },
};

/** A summary of a valid config: what `run` would start. Never prints option values. */
export function describeConfig(file: string, loaded: LoadedConfig): string {
  const lines = [`${file}: OK`];
  const sources = loaded.config.sources ?? [];
  lines.push(`  sources:${sources.length ? '' : ' none'}`);
  for (const s of sources) lines.push(`    ${describeSource(s)}`);
  lines.push(`  reporters:${loaded.prepared.length ? '' : ' none'}`);
  for (const r of loaded.prepared) {
    const version = r.plugin.packageJson.version ? ` ${r.plugin.packageJson.version}` : '';
    lines.push(`    ${r.name}: ${r.plugin.packageName}${version} (hooks: ${r.manifest.hooks.join(', ')})`);
  }
  return lines.join('\n');
}
