/**
 * What `run` loads before it answers: the dependencies bundled at build (scripts/bundle-dependencies.mjs) as
 * their one file each, and no mail transport or composer before the first mail.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { repoRoot, startService, tempDir } from './support/bbreporters-cli.js';

describe('bbreporters run at start', () => {
  it('loads yaml, prom-client and irc-framework as their bundles, and neither the mail transport and composer nor ws', async () => {
    const dir = tempDir();
    // Writes every module file the service loads to `loaded.txt`: CommonJS ones as they load, ES modules
    // (nodemailer's own build is one) from a loader hook.
    const log = join(dir, 'loaded.txt');
    const hook = `import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  if (url.startsWith('file:')) appendFileSync(${JSON.stringify(log)}, new URL(url).pathname + '\\n');
  return next(url, context);
}`;
    const probe = join(dir, 'probe.mjs');
    writeFileSync(
      probe,
      "import { appendFileSync } from 'node:fs';\n" +
        "import { Module, register } from 'node:module';\n" +
        `register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hook)}`)});\n` +
        'const load = Module.prototype.load;\n' +
        `Module.prototype.load = function (file) { appendFileSync(${JSON.stringify(log)}, file + '\\n'); return load.call(this, file); };\n`,
    );
    const config = join(dir, 'config.yaml');
    writeFileSync(
      config,
      [
        'stateDir: ./state',
        'sources:',
        '  - { type: http, listen: "127.0.0.1:0" }',
        'reporters:',
        // Port 9 on loopback refuses: the bot keeps reconnecting, no mail is sent.
        '  - { plugin: irc, options: { host: 127.0.0.1, port: 9, nick: bbr, channels: ["#c"] } }',
        '  - { plugin: mail, options: { fromaddr: a@example.org, relayhost: 127.0.0.1, smtpPort: 9 } }',
        '',
      ].join('\n'),
    );
    const service = await startService(config, {
      cwd: dir,
      env: { NODE_OPTIONS: `--import=${pathToFileURL(probe).href}` },
    });
    expect((await fetch(new URL('/healthz', service.url))).status).toBe(200);
    expect(await service.stop()).toBe(0);
    const loaded = readFileSync(log, 'utf8').split('\n');
    for (const bundle of [
      'core/vendor/yaml.cjs',
      'core/vendor/prom-client.cjs',
      'plugins/irc/vendor/irc-framework.cjs',
    ])
      expect(loaded).toContain(join(repoRoot, bundle));
    expect(
      loaded.filter((file) =>
        // mail parses its From address at setup with nodemailer's address parser (one file).
        /[\\/]node_modules[\\/](yaml|prom-client|@opentelemetry|irc-framework|lodash|ws|nodemailer[\\/](?!.*addressparser))/.test(
          file,
        ),
      ),
    ).toEqual([]);
  });
});
