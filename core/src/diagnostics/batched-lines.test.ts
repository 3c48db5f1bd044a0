import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { batchedLines } from './batched-lines.js';

describe('batchedLines', () => {
  it('writes the lines of one turn of the event loop in one write, in order', async () => {
    const writes: string[] = [];
    const lines = batchedLines({ write: (text: string) => writes.push(text) });
    lines.write('a\n');
    lines.write('b\n');
    expect(writes).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    lines.write('c\n');
    await new Promise((resolve) => setImmediate(resolve));
    expect(writes).toEqual(['a\nb\n', 'c\n']);
  });

  it('writes what waits when the process exits, even by process.exit() in the same turn', () => {
    // The built module (npm run build), in a node of its own.
    const module = fileURLToPath(new URL('../../dist/diagnostics/batched-lines.js', import.meta.url));
    const script = `import { batchedLines } from ${JSON.stringify(module)};
      const lines = batchedLines(process.stdout);
      lines.write('first\\n');
      lines.write('last words\\n');
      process.exit(3);`;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(child.status, child.stderr).toBe(3);
    expect(child.stdout).toBe('first\nlast words\n');
  });
});
