// Copies the contracts (schemas/) and the default message templates into @bbreporters/core so they are published with it:
// core loads them at run time from its own package, and editors find them under
// node_modules/@bbreporters/core/schemas/.
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
rmSync(`${root}core/schemas`, { recursive: true, force: true });
mkdirSync(`${root}core/schemas`, { recursive: true });
cpSync(`${root}schemas`, `${root}core/schemas`, { recursive: true });

// The formatter's default templates (.ejs) are not TypeScript: tsc does not copy them to dist.
rmSync(`${root}core/dist/formatter/templates`, { recursive: true, force: true });
mkdirSync(`${root}core/dist/formatter`, { recursive: true });
cpSync(`${root}core/src/formatter/templates`, `${root}core/dist/formatter/templates`, { recursive: true });
