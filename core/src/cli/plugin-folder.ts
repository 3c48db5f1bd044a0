/** `--config FILE | --dir DIR`, shared by `list` and `schema`: the folder plugins are looked up from. */
import { dirname, resolve } from 'node:path';
import type { Command, Values } from './command.js';
import { configOption } from './config-file.js';

export const pluginFolderOptions: Command['options'] = {
  ...configOption,
  dir: { type: 'string' },
};

/** The config file's folder (plugins resolve from there), else `--dir`, else the current folder (where a default config file is looked for). */
export function pluginFolder(values: Values): string {
  if (typeof values.config === 'string') return dirname(resolve(values.config));
  return resolve(typeof values.dir === 'string' ? values.dir : '.');
}
