// Bundles the start-up's largest CommonJS dependencies, each into one file, so start-up reads and compiles one
// file instead of dozens (`npm run build` runs it after tsc; docs/performance.md has the figures):
//   yaml  → core/vendor/yaml.cjs  (73 files; core/src/config/yaml.ts loads it)
// Not committed (.gitignore): generated from the installed package, so never stale in a build. The package stays
// a dependency of core (its types, its licence); each bundle starts with the package's version and licence.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const requireFromCore = createRequire(join(root, 'core/package.json'));
const vendorDir = join(root, 'core/vendor');

async function bundle(name) {
  const packageDir = dirname(requireFromCore.resolve(`${name}/package.json`));
  const { version, license } = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
  const licenceText = readFileSync(join(packageDir, 'LICENSE'), 'utf8').trim();
  const result = await build({
    entryPoints: [requireFromCore.resolve(name)],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    write: false,
    legalComments: 'inline',
    banner: { js: `/*! ${name} ${version} (${license}), bundled by scripts/bundle-dependencies.mjs\n${licenceText}\n*/` },
  });
  const file = join(vendorDir, `${name}.cjs`);
  writeFileSync(file, result.outputFiles[0].text);
  console.log(`wrote ${relative(root, file)} (${Math.round(result.outputFiles[0].text.length / 1024)} kB)`);
}

mkdirSync(vendorDir, { recursive: true });
await bundle('yaml');
