/** The README's quick start is true: its config runs, its curl is accepted, and the line it shows is what appears. */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { httpStatusPushDir, repoRoot, startService, tempDir } from './support/bbreporters-cli.js';

describe('the quick start', () => {
  it('prints the console line the README shows for the POSTed fixture', async () => {
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    const packageJson = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(packageJson.scripts.start).toBe('node core/dist/cli/main.js run --config examples/quickstart.yaml');
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toContain('npm ci && npm test');
    expect(readme).toContain('--data @core/fixtures/httpstatuspush/fail.finished.json http://127.0.0.1:8020/');

    // The same config on a free port, so the test never fights a running quick start.
    const quickstart = readFileSync(join(repoRoot, 'examples/quickstart.yaml'), 'utf8');
    expect(quickstart).toContain('listen: 127.0.0.1:8020');
    const config = join(tempDir(), 'quickstart.yaml');
    writeFileSync(config, quickstart.replace('listen: 127.0.0.1:8020', 'listen: 127.0.0.1:0'));
    const service = await startService(config);
    try {
      const reply = await fetch(service.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: readFileSync(join(httpStatusPushDir, 'fail.finished.json')),
      });
      expect(reply.status).toBe(200);
      expect(await reply.json()).toMatchObject({
        eventId: 'buildFinished:2',
        outcomes: [
          { reporter: 'console', status: 'accepted' },
          { reporter: 'mail', status: 'accepted' },
        ],
      });
      for (let i = 0; i < 50 && !service.stdout().trim(); i++) await new Promise((resolve) => setTimeout(resolve, 50));
      const line = service.stdout().trim();
      expect(line).toMatch(/^\[buildFinished\] fail #1 FAILURE/);
      expect(readme).toContain(`\n${line}\n`);
    } finally {
      expect(await service.stop()).toBe(0);
    }
  });

  it("runs the README's `npx bbreporters preview` through the bin the first `npm ci` linked, not the registry", () => {
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    const command = /npx bbreporters (preview [^\n]*\\\n\s*[^\n]*)/.exec(readme)?.[1];
    expect(command).toBeDefined();
    const args = command!
      .replace(/\\\n\s*/, ' ')
      .trim()
      .split(/\s+/);
    const out = execFileSync(join(repoRoot, 'node_modules/.bin/bbreporters'), args, {
      cwd: repoRoot,
      encoding: 'utf8',
    });
    expect(out).toContain('reporter console: buildFinished accepted');
    expect(out).toContain('nothing was sent (preview)');
  });
});
