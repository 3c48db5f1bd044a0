/**
 * `<stateDir>/bbreporters.pid`: the process id of the service running with that state folder,
 * written by `bbreporters run` once it reloads on SIGHUP, removed when it stops. `bbreporters
 * reload` reads it to know whom to signal.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function pidFilePath(stateDir: string): string {
  return join(stateDir, 'bbreporters.pid');
}

/** Writes this process's id; returns what removes the file (unless another service has written its own since). */
export function writePidFile(stateDir: string): () => void {
  const file = pidFilePath(stateDir);
  mkdirSync(stateDir, { recursive: true });
  writeFileSync(file, `${process.pid}\n`);
  return () => {
    if (readPid(stateDir) === process.pid) rmSync(file, { force: true });
  };
}

/** The id in the pid file; undefined when there is none or it holds no number. */
export function readPid(stateDir: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(pidFilePath(stateDir), 'utf8');
  } catch {
    return undefined;
  }
  const pid = Number(text.trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}
