#!/usr/bin/env node
// The `bbreporters` command. A committed file, not one in dist/: npm links bins at `npm ci` before
// the `prepare` script builds dist/, and a bin whose file does not exist yet is not linked.
import { runAsProgram } from '../dist/cli/main.js';

runAsProgram();
