#!/usr/bin/env node
/**
 * `npm init @bbreporters/plugin <name>` / `npx @bbreporters/create-plugin <name>`.
 * Every prompt is also a flag; with --yes (or without a terminal) defaults answer the rest.
 */
import { resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { unscoped } from './package-name.js';
import { hookNames, scaffold, ScaffoldError, type HookName } from './scaffold.js';

const usage = `Usage: npm init @bbreporters/plugin <name> [-- options]
       npx @bbreporters/create-plugin <name> [options]

Creates a bbreporters reporter plugin package in ./<name> (without its npm scope).

Options:
  --description TEXT   what the reporter does (prompted when missing)
  --hooks LIST         comma-separated: ${hookNames.join(', ')} (default: buildFinished)
  --dir PATH           the folder to create (default: ./<name without scope>)
  --force              write into a non-empty folder
  --yes, -y            accept defaults for everything not given; never prompt
  --help, -h           this text
`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      description: { type: 'string' },
      hooks: { type: 'string' },
      dir: { type: 'string' },
      force: { type: 'boolean', default: false },
      yes: { type: 'boolean', short: 'y', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(usage);
    return 0;
  }
  const interactive = !values.yes && process.stdin.isTTY === true;
  const rl = interactive ? createInterface({ input: process.stdin, output: process.stdout }) : undefined;
  const ask = async (question: string, fallback: string) => {
    if (!rl) return fallback;
    const answer = (await rl.question(`${question} (${fallback}): `)).trim();
    return answer || fallback;
  };
  try {
    const name = positionals[0] ?? (await ask('Package name', ''));
    if (!name) {
      process.stderr.write(`create-plugin: a package name is required\n\n${usage}`);
      return 2;
    }
    const description = values.description ?? (await ask('Description', `Reports build results (${unscoped(name)})`));
    const hooksText = values.hooks ?? (await ask(`Hooks, comma-separated (${hookNames.join(', ')})`, 'buildFinished'));
    const hooks = hooksText
      .split(',')
      .map((h) => h.trim())
      .filter(Boolean) as HookName[];
    const dir = resolve(values.dir ?? unscoped(name));
    const files = scaffold(dir, { name, description, hooks }, { force: values.force });
    process.stdout.write(
      `Created ${name} in ${dir}:\n${files.map((f) => `  ${f}`).join('\n')}\n\nNext:\n  cd ${dir}\n  npm install\n  npm test\n`,
    );
    return 0;
  } catch (error) {
    if (error instanceof ScaffoldError) {
      process.stderr.write(`create-plugin: ${error.message}\n`);
      return 1;
    }
    throw error;
  } finally {
    rl?.close();
  }
}

process.exitCode = await main(process.argv.slice(2));
