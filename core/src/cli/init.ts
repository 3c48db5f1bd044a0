/** `bbreporters init`: writes a commented starter config for the plugins installed here. */
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { starterConfig, STARTER_LISTEN } from '../config/starter.js';
import { BbrError } from '../diagnostics/errors.js';
import { DEFAULT_CONFIG_FILES } from '../host/defaults.js';
import { exitCodes, write, type Command } from './command.js';
import { configOption } from './config-file.js';
import { reportError } from './errors.js';
import { editorSchema, EDITOR_SCHEMA_FILE } from './schema.js';

export const initCommand: Command = {
  name: 'init',
  summary: 'Write a starter config: an http source and the installed reporter plugins',
  usage: `bbreporters init [--config FILE] [--force]\n\nPlugins are found as "bbreporters list" finds them, from the file's folder.`,
  options: { ...configOption, force: { type: 'boolean' } },
  optionHelp: {
    config: `The file to write (default: ${DEFAULT_CONFIG_FILES[0]} in the current folder).`,
    force: 'Replace the file if it exists.',
  },
  async run(values, _positionals, io) {
    const file = typeof values.config === 'string' && values.config ? values.config : DEFAULT_CONFIG_FILES[0];
    const folder = dirname(resolve(file));
    const starter = starterConfig(folder);
    try {
      writeFileSync(file, starter.text, { flag: values.force ? 'w' : 'wx' });
    } catch (error) {
      return reportError(
        (error as NodeJS.ErrnoException).code === 'EEXIST'
          ? new BbrError('BBR_CONFIG_EXISTS', `${file} already exists; init leaves it as it is`)
          : error,
        io,
      );
    }
    // The schema the starter's yaml-language-server line names, so an editor completes it at once.
    const { schema, warnings } = editorSchema(folder);
    for (const warning of warnings) write(io.stderr, `warning: ${warning}`);
    writeFileSync(join(folder, EDITOR_SCHEMA_FILE), `${JSON.stringify(schema, null, 2)}\n`);
    const configFlag = file === DEFAULT_CONFIG_FILES[0] ? '' : ` --config ${file}`;
    const lines = [
      `wrote ${file}: an http source on ${STARTER_LISTEN}, reporters: ${starter.enabled.join(', ') || 'none yet'}`,
    ];
    if (starter.commentedOut.length)
      lines.push(`  commented out until you fill in their options: ${starter.commentedOut.join(', ')}`);
    lines.push(
      `wrote ${EDITOR_SCHEMA_FILE} beside it, for editors (again after installing a plugin: bbreporters schema)`,
    );
    lines.push(`next: bbreporters check${configFlag}, then bbreporters run${configFlag}`);
    write(io.stdout, lines.join('\n'));
    return exitCodes.ok;
  },
};
