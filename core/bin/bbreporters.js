#!/usr/bin/env -S node --max-semi-space-size=4 --heap-growing-percent=20
// The `bbreporters` command. Its node flags keep a busy service's heap small: a young generation of
// 4 MB semi-spaces and a heap grown 20 % at a time instead of V8's server sizing hold RSS near 115 MB
// instead of 170 MB through 100,000 events (docs/performance.md#memory); bench/ starts it with them.
// A committed file, not one in dist/: npm links bins at `npm ci` before the `prepare` script builds
// dist/, and a bin whose file does not exist yet is not linked.
import { runAsProgram } from '../dist/cli/main.js';

runAsProgram();
