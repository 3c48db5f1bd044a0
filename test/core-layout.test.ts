/**
 * The layout of core/src is its architecture (docs/design.md, "Folder map"): each folder is a
 * stage of an event's way or a shared part, and a folder imports only folders below it in
 * LAYERS (type-only imports excepted: contracts may be named anywhere). No import cycles at all.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const src = new URL('../core/src/', import.meta.url).pathname;

/** Bottom first: a folder may import (at run time) only the folders before it. */
const LAYERS = [
  'generated',
  'lang',
  'diagnostics',
  'contracts',
  'events',
  'dispatch',
  'http',
  'ledger',
  'deliveries',
  'filters',
  'kit',
  'formatter',
  'history',
  'enrichment',
  'buildbot-api',
  'sources',
  'cluster',
  'loader',
  'config',
  'console',
  'host',
  'cli',
  'testing',
] as const;
/** Files allowed at the top of core/src: the package's exports and the plugin contract (types and definePlugin only). */
const ROOT_FILES = ['index.ts', 'plugin-api.ts'];

interface Import {
  from: string;
  to: string;
  typeOnly: boolean;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'templates' ? [] : sourceFiles(path);
    return path.endsWith('.ts') && !path.endsWith('.test.ts') ? [path] : [];
  });
}

function importsOf(file: string): Import[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, false);
  const out: Import[] = [];
  for (const node of source.statements) {
    if (!(ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) || !node.moduleSpecifier) continue;
    const spec = (node.moduleSpecifier as ts.StringLiteral).text;
    if (!spec.startsWith('.')) continue;
    let typeOnly: boolean;
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      const named =
        clause?.namedBindings && ts.isNamedImports(clause.namedBindings) ? clause.namedBindings.elements : undefined;
      typeOnly =
        !!clause && (clause.isTypeOnly || (!clause.name && !!named?.length && named.every((e) => e.isTypeOnly)));
    } else {
      const named = node.exportClause && ts.isNamedExports(node.exportClause) ? node.exportClause.elements : undefined;
      typeOnly = node.isTypeOnly || (!!named?.length && named.every((e) => e.isTypeOnly));
    }
    out.push({ from: file, to: resolve(dirname(file), spec.replace(/\.js$/, '.ts')), typeOnly });
  }
  return out;
}

const files = sourceFiles(src);
const imports = files.flatMap(importsOf);
const folderOf = (file: string) => relative(src, file).split('/')[0];
const layerOf = (file: string) => LAYERS.indexOf(folderOf(file) as (typeof LAYERS)[number]);
const name = (file: string) => relative(src, file);

describe('core/src layout', () => {
  it('has only the package exports and the plugin contract at the top, every other file in a known folder', () => {
    const strays = files.filter((f) => !ROOT_FILES.includes(name(f)) && layerOf(f) < 0).map(name);
    expect(strays).toEqual([]);
  });

  it('imports at run time only folders below the importing one', () => {
    const upward = imports
      .filter((i) => !i.typeOnly && layerOf(i.from) >= 0 && layerOf(i.to) > layerOf(i.from))
      .map((i) => `${name(i.from)} -> ${name(i.to)}`);
    expect(upward).toEqual([]);
  });

  it('keeps the plugin contract free of run-time imports', () => {
    const runtime = imports.filter((i) => !i.typeOnly && name(i.from) === 'plugin-api.ts').map((i) => name(i.to));
    expect(runtime).toEqual([]);
  });

  it('has no import cycle, counting type imports', () => {
    const edges = new Map<string, string[]>(files.map((f) => [f, []]));
    for (const i of imports) edges.get(i.from)?.push(i.to);
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (file: string, path: string[]) => {
      state.set(file, 'open');
      for (const next of edges.get(file) ?? []) {
        if (state.get(next) === 'open') cycles.push([...path.slice(path.indexOf(next)), next].map(name).join(' -> '));
        else if (!state.has(next) && edges.has(next)) visit(next, [...path, next]);
      }
      state.set(file, 'done');
    };
    for (const f of files) if (!state.has(f)) visit(f, [f]);
    expect(cycles).toEqual([]);
  });
});
