/**
 * Writes a new plugin package from the template folder (create-plugin/template), filling in the
 * answers. Pure file work: prompts and flags live in cli.ts.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { packageNameProblem, pascalCase, unscoped } from './package-name.js';

export const hookNames = ['buildStarted', 'buildFinished', 'buildsetFinished', 'workerMissing'] as const;
export type HookName = (typeof hookNames)[number];

export interface ScaffoldAnswers {
  name: string;
  description: string;
  hooks: HookName[];
}

export class ScaffoldError extends Error {}

const templateDir = new URL('../template/', import.meta.url);

/** What each hook's handler says, and how the generated test drives it. */
const hookCode: Record<HookName, { handler: string; fixture: string; expect: string; test: string }> = {
  buildStarted: {
    handler: 'buildStarted: (event) => say(`${event.payload.builder.name} #${event.payload.number} started`),',
    fixture: 'fixtures.fail.started()',
    expect: "'CI: fail #1 started'",
    test: 'says when a build starts',
  },
  buildFinished: {
    handler:
      'buildFinished: (event) => say(`${event.payload.builder.name} #${event.payload.number}: ${statusToString(event.payload.results)}`),',
    fixture: 'fixtures.fail.finished()',
    expect: "'CI: fail #1: failure'",
    test: 'says a failing build failed',
  },
  buildsetFinished: {
    handler:
      'buildsetFinished: (event) => say(`buildset ${event.payload.buildset.bsid}: ${statusToString(event.payload.buildset.results)}`),',
    fixture: 'fixtures.buildset()',
    expect: "'CI: buildset 8: failure'",
    test: 'says how a buildset ended',
  },
  workerMissing: {
    handler: 'workerMissing: (event) => say(`worker ${event.payload.worker.name} is missing`),',
    fixture: 'fixtures.workerMissing()',
    expect: "'CI: worker ghost-worker is missing'",
    test: 'says which worker went missing',
  },
};

export function checkAnswers(answers: ScaffoldAnswers): void {
  const problem = packageNameProblem(answers.name);
  if (problem) throw new ScaffoldError(`invalid package name "${answers.name}": ${problem}`);
  if (answers.hooks.length === 0) throw new ScaffoldError(`choose at least one hook (${hookNames.join(', ')})`);
  const unknown = answers.hooks.filter((h) => !hookNames.includes(h));
  if (unknown.length)
    throw new ScaffoldError(
      `unknown hook ${unknown.map((h) => `"${h}"`).join(', ')}: choose from ${hookNames.join(', ')}`,
    );
}

/** Creates the package in `dir`; refuses a non-empty folder unless `force`. Returns the files written. */
export function scaffold(dir: string, answers: ScaffoldAnswers, options: { force?: boolean } = {}): string[] {
  checkAnswers(answers);
  if (existsSync(dir) && readdirSync(dir).length > 0 && !options.force) {
    throw new ScaffoldError(`${dir} is not empty: choose another folder, or pass --force to write into it anyway`);
  }
  mkdirSync(dir, { recursive: true });
  cpSync(templateDir, dir, { recursive: true });
  renameSync(join(dir, '_gitignore'), join(dir, '.gitignore'));
  const hooks = hookNames.filter((h) => answers.hooks.includes(h));
  const first = hookCode[hooks[0]];
  const values: Record<string, string> = {
    name: answers.name,
    description: answers.description.replace(/["\\]/g, ''),
    folder: unscoped(answers.name),
    pascal: pascalCase(answers.name),
    hooksJson: JSON.stringify(hooks),
    hooksList: hooks.join(', '),
    handlers: hooks.map((h) => `      ${hookCode[h].handler}`).join('\n'),
    testFixture: first.fixture,
    testExpect: first.expect,
    testName: first.test,
  };
  const written: string[] = [];
  for (const file of walk(dir)) {
    const text = readFileSync(file, 'utf8');
    writeFileSync(
      file,
      text.replace(/\{\{(\w+)\}\}/g, (whole, key: string) => values[key] ?? whole),
    );
    written.push(relative(dir, file));
  }
  return written.sort();
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (entry === 'node_modules') return [];
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}
