/**
 * Tests that install our packages afresh (`npm ci` in a copy, `npm install` of packed tarballs)
 * would compile better-sqlite3 from source each time (no prebuilt binary can be downloaded here:
 * about two minutes on two cores). Its installer (prebuild-install) first looks for a local
 * prebuild: this packs the binary the repository's own install built into that form, once per
 * test process, and returns the environment that points installs at it. What gets installed is the
 * same package; only the compile is skipped.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

let env: Record<string, string> | undefined;

export function reuseSqliteBuild(): Record<string, string> {
  if (env) return env;
  const require = createRequire(import.meta.url);
  const pkgDir = dirname(require.resolve('better-sqlite3/package.json'));
  const { version } = require('better-sqlite3/package.json') as { version: string };
  const binary = join(pkgDir, 'build/Release/better_sqlite3.node');
  if (!existsSync(binary)) return (env = {});
  const dir = mkdtempSync(join(tmpdir(), 'bbr-sqlite-prebuild-'));
  mkdirSync(dir, { recursive: true });
  // prebuild-install's default asset name: {name}-v{version}-{runtime}-v{abi}-{platform}-{arch}.tar.gz
  const asset = `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
  execFileSync('tar', ['-czf', join(dir, asset), '-C', pkgDir, 'build/Release/better_sqlite3.node']);
  return (env = { npm_config_better_sqlite3_local_prebuilds: dir });
}
