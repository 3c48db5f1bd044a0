/**
 * The `yaml` package as core uses it: bundled at build into one file (`scripts/bundle-dependencies.mjs`),
 * because its 73 CommonJS files were the largest part of `check`'s module loading (one file loads in a
 * fifth of the time). Types come from the package itself.
 */
import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';

// core/vendor/ sits two folders above this file in src/ and in dist/ alike.
const yaml = createRequire(import.meta.url)('../../vendor/yaml.cjs') as typeof Yaml;

export const { isMap, isScalar, isSeq, LineCounter, parseDocument } = yaml;
