/**
 * `--config FILE`, shared by the commands that read a config: without it, `bbreporters.yaml`
 * then `bbreporters.yml` in the current folder (as ESLint and Prettier find theirs).
 */
import { existsSync } from 'node:fs';
import { DEFAULT_CONFIG_FILES } from '../host/defaults.js';
import { UsageError, type Command, type Values } from './command.js';

export const configOption: Command['options'] = { config: { type: 'string', short: 'c' } };

export const configOptionHelp = `The YAML config file (default: ${DEFAULT_CONFIG_FILES.join(', else ')} in the current folder).`;

/** The config file to read: `--config`, else the first default file present in the current folder. */
export function configFile(values: Values): string {
  if (typeof values.config === 'string') {
    if (!values.config) throw new UsageError('--config needs a file name');
    return values.config;
  }
  const found = DEFAULT_CONFIG_FILES.find((name) => existsSync(name));
  if (found) return found;
  throw new UsageError(
    `no config file: found neither ${DEFAULT_CONFIG_FILES.join(' nor ')} in ${process.cwd()}. Give one with --config FILE, or write a starter ${DEFAULT_CONFIG_FILES[0]} with "bbreporters init"`,
  );
}
