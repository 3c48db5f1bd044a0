/**
 * The `yaml` package as core uses it, bundled (lang/bundled.ts): its 73 CommonJS files were the largest
 * part of `check`'s module loading.
 */
import type * as Yaml from 'yaml';
import { bundled } from '../lang/bundled.js';

export const { isMap, isScalar, isSeq, LineCounter, parseDocument } = bundled<typeof Yaml>('yaml');
