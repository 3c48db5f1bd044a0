// Bundles the start-up's largest CommonJS dependencies, each into one file, so start-up reads and compiles one
// file instead of dozens or hundreds (`npm run build` runs it after tsc; docs/performance.md has the figures):
//   yaml           → core/vendor/yaml.cjs                   (73 files; core/src/config/yaml.ts)
//   prom-client    → core/vendor/prom-client.cjs            (about 90 files with @opentelemetry/api; core/src/host/metrics.ts)
//   irc-framework  → plugins/irc/vendor/irc-framework.cjs   (about 300 files, lodash's mostly; plugins/irc/src/client.ts)
// Not committed (.gitignore): generated from the installed packages, so never stale in a build. Each package stays
// a dependency of its user (types, licence); each bundle starts with the name, version and licence of every
// package in it.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));

/** `node_modules/@scope/name/lib/x.js` → the package folder `node_modules/@scope/name`. */
const packageFolderOf = (input) => /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input)?.[1];

/** `name version (licence)` and the texts of its licence and notice files, for the banner. */
function licenceNotice(folder) {
  const { name, version, license } = JSON.parse(readFileSync(join(root, folder, 'package.json'), 'utf8'));
  const files = readdirSync(join(root, folder)).filter((f) => /^(licen[cs]e|notice)/i.test(f));
  const text = files.map((f) => readFileSync(join(root, folder, f), 'utf8').trim()).join('\n\n');
  return `${name} ${version}${license ? ` (${license})` : ''}${text ? `\n\n${text}` : ''}`;
}

/** Bundles `name` as `user` (a workspace folder) resolves it into `user/vendor/NAME.cjs`. */
async function bundle(name, user) {
  const requireFromUser = createRequire(join(root, user, 'package.json'));
  const result = await build({
    entryPoints: [requireFromUser.resolve(name)],
    absWorkingDir: root,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    write: false,
    metafile: true,
    logLevel: 'warning',
  });
  const folders = [...new Set(Object.keys(result.metafile.inputs).map(packageFolderOf))].filter(Boolean).sort();
  const banner = `/*! ${name}, bundled by scripts/bundle-dependencies.mjs from these packages:\n\n${folders
    .map(licenceNotice)
    .join('\n\n---\n\n')
    .replaceAll('*/', '* /')}\n*/\n`;
  const file = join(root, user, 'vendor', `${name}.cjs`);
  mkdirSync(join(root, user, 'vendor'), { recursive: true });
  writeFileSync(file, banner + result.outputFiles[0].text);
  console.log(
    `wrote ${relative(root, file)} (${folders.length} packages, ${Math.round(result.outputFiles[0].text.length / 1024)} kB)`,
  );
}

await bundle('yaml', 'core');
await bundle('prom-client', 'core');
await bundle('irc-framework', 'plugins/irc');
