#!/usr/bin/env node
/**
 * `node scripts/production-tree.mjs DEST`: copies what `bbreporters run` needs in production into
 * DEST, after `npm ci` has built the repo. The Dockerfile's runtime stage is this folder, and
 * test/deploy-examples.test.ts runs the service from it, so the image cannot need a file or a
 * devDependency that the test does not see.
 *
 * - each workspace package gets the files `npm pack` publishes (what a registry install gets: no
 *   sources, no tests);
 * - node_modules gets every package of package-lock.json that `npm ci --omit=dev` installs, at the
 *   same place, and the workspace links as relative symlinks.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const repo = resolve(dirname(new URL(import.meta.url).pathname), '..');
const destArg = process.argv[2];
if (!destArg) {
  console.error('usage: node scripts/production-tree.mjs DEST');
  process.exit(2);
}
const dest = resolve(destArg);
if (existsSync(dest)) {
  console.error(`${dest} exists already: give a new folder, so no stale file ends up in the tree`);
  process.exit(2);
}

const lock = JSON.parse(readFileSync(join(repo, 'package-lock.json'), 'utf8'));
const packages = Object.entries(lock.packages);

// Workspaces are the lockfile's links (node_modules/@bbreporters/core → core), by package name.
const workspaceByName = new Map(
  packages
    .filter(([, entry]) => entry.link)
    .map(([path, entry]) => [path.slice('node_modules/'.length), entry.resolved]),
);
const workspaces = [...workspaceByName.values()];
const packed = JSON.parse(
  execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts', ...workspaces.flatMap((w) => ['-w', w])], {
    cwd: repo,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  }),
);
for (const pack of packed) {
  const workspace = workspaceByName.get(pack.name);
  for (const file of pack.files) cpSync(join(repo, workspace, file.path), join(dest, workspace, file.path));
}

cpSync(join(repo, 'package.json'), join(dest, 'package.json'));
cpSync(join(repo, 'package-lock.json'), join(dest, 'package-lock.json'));

for (const [path, entry] of packages) {
  // "" is the root; `dev` marks packages only devDependencies need (`devOptional` ones stay, as with --omit=dev).
  if (!path.includes('node_modules/') || entry.dev) continue;
  const target = join(dest, path);
  mkdirSync(dirname(target), { recursive: true });
  if (entry.link) {
    symlinkSync(relative(dirname(target), join(dest, entry.resolved)), target);
  } else if (existsSync(join(repo, path))) {
    // Nested node_modules are entries of their own (and may hold devDependencies).
    cpSync(join(repo, path), target, {
      recursive: true,
      filter: (source) => !relative(join(repo, path), source).split('/').includes('node_modules'),
    });
  } else if (!entry.optional) {
    throw new Error(`${path} is in package-lock.json but not installed: run npm ci first`);
  }
}
console.log(`${dest}: ${workspaces.length} workspace packages and their production dependencies`);
