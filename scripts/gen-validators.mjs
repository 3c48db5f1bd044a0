// Generates the validators of core's schemas and of each shipped plugin's options schema (Ajv standalone
// code), so start-up compiles no schema (`npm run build` runs it after tsc):
//   schemas/*.json                        → core/schemas/core.validate.cjs
//   plugins/*/schema/options.schema.json  → plugins/*/schema/options.schema.validate.cjs
// Not committed (.gitignore): generated from the schemas by core's own Ajv set-up, so never stale in a build.
// The output is deterministic (same schemas, same Ajv → same bytes).
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  coreSchemaTexts,
  coreValidatorRefs,
  coreValidatorsFile,
  createCoreAjv,
  schemaBase,
} from '../core/dist/contracts/schemas.js';
import { generatedFileOf, generatedModule, standaloneOptions } from '../core/dist/contracts/standalone.js';
import { optionsAjv, optionsSchemaTexts } from '../core/dist/loader/manifest.js';

const root = fileURLToPath(new URL('..', import.meta.url));

function write(file, text) {
  writeFileSync(file, text);
  console.log(`wrote ${relative(root, file)} (${Math.round(text.length / 1024)} kB)`);
}

const core = createCoreAjv(standaloneOptions());
write(
  coreValidatorsFile,
  generatedModule(core, Object.fromEntries(coreValidatorRefs.map((ref) => [ref, schemaBase + ref])), coreSchemaTexts()),
);

const pluginsDir = join(root, 'plugins');
for (const name of readdirSync(pluginsDir).sort()) {
  const packageJson = join(pluginsDir, name, 'package.json');
  if (!existsSync(packageJson)) continue;
  const optionsSchema = JSON.parse(readFileSync(packageJson, 'utf8')).bbreporter?.optionsSchema;
  if (!optionsSchema) continue;
  const file = join(pluginsDir, name, optionsSchema);
  const text = readFileSync(file, 'utf8');
  const ajv = optionsAjv(standaloneOptions()).addSchema(JSON.parse(text), 'options');
  write(generatedFileOf(file), generatedModule(ajv, { options: 'options' }, optionsSchemaTexts(text)));
}
