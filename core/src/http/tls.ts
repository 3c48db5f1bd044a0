/** A reporter's `tls` config made usable: `ca` read from its file (relative to the config folder). */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { BbrError, reasonOf } from '../diagnostics/errors.js';
import type { TlsConfig } from '../generated/schemas.js';

/** The settings with `ca` as PEM text. Throws BBR_TLS_CA naming the reporter when the file cannot be used. */
export function resolveTls(config: TlsConfig | undefined, configDir: string, reporter: string): TlsConfig {
  if (!config?.ca || config.ca.includes('-----BEGIN')) return { ...config };
  const path = resolve(configDir, config.ca);
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (error) {
    throw new BbrError('BBR_TLS_CA', `reporter "${reporter}": tls.ca ${path} cannot be read: ${reasonOf(error)}`, {
      cause: error,
    });
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----'))
    throw new BbrError('BBR_TLS_CA', `reporter "${reporter}": tls.ca ${path} holds no PEM certificate`);
  return { ...config, ca: pem };
}

/** For `bbreporters check`: the reporter entry's tls.ca problem, located at `<path>.tls.ca` (none when fine). */
export function tlsProblems(
  spec: { tls?: TlsConfig; name?: string; path?: string },
  configDir: string,
): Array<{ path: string; message: string }> {
  try {
    resolveTls(spec.tls, configDir, spec.name ?? spec.path ?? 'reporter');
    return [];
  } catch (error) {
    return [{ path: `${spec.path ?? 'reporter'}.tls.ca`, message: reasonOf(error).replace(/^BbrError: /, '') }];
  }
}
