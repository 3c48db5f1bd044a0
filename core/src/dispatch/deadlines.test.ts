import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { deadline } from './deadlines.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe('deadline', () => {
  it('runs the timeouts not cleared, oldest first, each after its own length', async () => {
    const fired: string[] = [];
    const started = performance.now();
    const at: Record<string, number> = {};
    const note = (name: string) => () => {
      fired.push(name);
      at[name] = performance.now() - started;
    };
    deadline(40, note('a'));
    const b = deadline(40, note('b'));
    await sleep(10);
    deadline(40, note('c'));
    deadline(15, note('short'));
    b.clear();
    await sleep(80);
    expect(fired).toEqual(['short', 'a', 'c']);
    expect(at.a).toBeGreaterThanOrEqual(39);
    expect(at.c).toBeGreaterThanOrEqual(49);
    expect(at.short).toBeGreaterThanOrEqual(24);
  });

  it('runs a timeout behind calls that ended out of order, and clearing after it ran does nothing', async () => {
    const fired: string[] = [];
    const slow = deadline(30, () => fired.push('slow'));
    const ended = Array.from({ length: 2000 }, () => deadline(30, () => fired.push('ended')));
    for (const d of ended) d.clear();
    await sleep(60);
    slow.clear();
    expect(fired).toEqual(['slow']);
  });

  it('does not keep the process alive once every call has ended', () => {
    // The built module (npm run build), in a node of its own: vitest's workers keep their own timers.
    const module = fileURLToPath(new URL('../../dist/dispatch/deadlines.js', import.meta.url));
    const script = `import { deadline } from ${JSON.stringify(module)};
      const started = Date.now();
      deadline(60_000, () => {}).clear();
      process.on('exit', () => console.log(Date.now() - started));`;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(child.status, child.stderr).toBe(0);
    expect(Number(child.stdout)).toBeLessThan(5000);
  });
});
