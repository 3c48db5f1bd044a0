/** `bbreporters check`, `list`, `schema` and `--help` as a user runs them (the built bin, a child process). */
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { fixturePlugins, repoRoot, runCli, tempDir } from './support/bbreporters-cli.js';

const commands = ['run', 'reload', 'check', 'preview', 'list', 'emit', 'deliveries', 'events', 'schema', 'explain'];

describe('bbreporters check', () => {
  it("validates a plugin's options without importing the plugin: its marker file is never written", async () => {
    const dir = tempDir();
    const marker = join(dir, 'imported.marker');
    writeFileSync(
      join(dir, 'config.yaml'),
      `reporters:\n  - plugin: ${join(fixturePlugins, 'marker')}\n    options: { marker: here, token: "\${MARKER_TOKEN}" }\n`,
    );
    const result = await runCli(['check', '--config', join(dir, 'config.yaml')], {
      env: { MARKER_FILE: marker, MARKER_TOKEN: 'mk-secret-1' },
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/config\.yaml: OK/);
    expect(result.stdout).toMatch(/marker-plugin: marker-plugin 1\.0\.0 \(hooks: buildFinished\)/);
    expect(result.stdout + result.stderr).not.toContain('mk-secret-1');
    expect(existsSync(marker)).toBe(false);
  });

  it('proves the marker works: running the same plugin writes the marker file', async () => {
    const dir = tempDir();
    const marker = join(dir, 'imported.marker');
    writeFileSync(join(dir, 'event.json'), '{}');
    writeFileSync(
      join(dir, 'config.yaml'),
      `reporters:\n  - plugin: ${join(fixturePlugins, 'marker')}\n    options: { marker: here }\n`,
    );
    await runCli(
      [
        'preview',
        '--config',
        join(dir, 'config.yaml'),
        '--reporter',
        'marker-plugin',
        '--event',
        join(repoRoot, 'core/fixtures/httpstatuspush/pass.finished.json'),
      ],
      { env: { MARKER_FILE: marker } },
    );
    expect(existsSync(marker)).toBe(true);
  });

  it('exits 1 and prints every located problem of a broken config', async () => {
    const result = await runCli(['check', '--config', 'test/fixtures/config/three-mistakes.yaml']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('test/fixtures/config/three-mistakes.yaml:3:11 logLevel: must be one of');
    expect(result.stderr).toContain(
      'test/fixtures/config/three-mistakes.yaml:10:7 reporters[0].options.stram: is not an allowed key; did you mean "stream"?',
    );
    expect(result.stderr).toContain(
      'test/fixtures/config/three-mistakes.yaml:14:14 reporters[1].options.count: must be integer',
    );
  });

  it('exits 1 for a file that does not exist, and 2 without --config where there is no bbreporters.yaml', async () => {
    expect((await runCli(['check', '--config', 'no/such/file.yaml'])).code).toBe(1);
    const usage = await runCli(['check']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/no config file: found neither bbreporters\.yaml nor bbreporters\.yml/);
  });

  it('refuses a plugin that was never built, naming the missing entry and its package.json, without importing it', async () => {
    const dir = tempDir({ 'config.yaml': 'reporters:\n  - plugin: ./unbuilt\n    options: { marker: here }\n' });
    const plugin = join(dir, 'unbuilt');
    cpSync(join(fixturePlugins, 'marker'), plugin, { recursive: true });
    const packageJson = JSON.parse(readFileSync(join(plugin, 'package.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(plugin, 'package.json'), JSON.stringify({ ...packageJson, main: 'dist/index.js' }));
    const marker = join(dir, 'imported.marker');
    const result = await runCli(['check', '--config', join(dir, 'config.yaml')], { env: { MARKER_FILE: marker } });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(
      `${join(dir, 'config.yaml')}:2:13 reporters[0].plugin: BBR_PLUGIN_ENTRY: marker-plugin (${join(plugin, 'package.json')}): ` +
        `its entry ${join(plugin, 'dist/index.js')} (from main) does not exist. Is the plugin built? Build it: npm run build in ${plugin}. ` +
        'Its author must point "main" or "exports" (or bbreporter.entry) at the built file',
    );
    expect(result.stderr).toMatch(/has 1 problem \(in a plugin package, not in this file; /);

    mkdirSync(join(plugin, 'dist'));
    cpSync(join(plugin, 'index.js'), join(plugin, 'dist/index.js'));
    const built = await runCli(['check', '--config', join(dir, 'config.yaml')], { env: { MARKER_FILE: marker } });
    expect(built.code, built.stderr).toBe(0);
    expect(built.stdout).toMatch(/marker-plugin: marker-plugin 1\.0\.0/);
    expect(existsSync(marker)).toBe(false);
  });

  it("names a broken manifest's package and package.json at the reporter's plugin: line", async () => {
    const dir = tempDir({ 'config.yaml': 'logLevel: info\nreporters:\n  - plugin: ./bad\n' });
    cpSync(join(fixturePlugins, 'marker-bad-manifest'), join(dir, 'bad'), { recursive: true });
    const result = await runCli(['check', '--config', join(dir, 'config.yaml')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `${join(dir, 'config.yaml')}:3:13 reporters[0].plugin: BBR_PLUGIN_MANIFEST: marker-bad-manifest (${join(dir, 'bad/package.json')}) ` +
        'has an invalid "bbreporter" manifest; its author must correct it in that package.json (bbreporter.hooks[0]: must be one of',
    );
    expect(result.stderr).not.toMatch(/:1:1 bbreporter/);
  });

  it('accepts the quick start config', async () => {
    const result = await runCli(['check', '--config', 'examples/quickstart.yaml']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/http\s+POST http:\/\/127\.0\.0\.1:8020\//);
    expect(result.stdout).toMatch(/console: @bbreporters\/console/);
  });
  it('loads no schema compiler and nothing only the service needs: generated validators, lazy commands and sources, yaml bundled', async () => {
    const dir = tempDir();
    // Reports, as the process exits, the CommonJS modules it loaded (Ajv's compiler, SQLite, ws are CommonJS).
    const probe = join(dir, 'probe.mjs');
    writeFileSync(
      probe,
      "import { createRequire } from 'node:module';\n" +
        'const { cache } = createRequire(import.meta.url);\n' +
        "process.on('exit', () => process.stderr.write(`loaded: ${Object.keys(cache).join(' ')}\\n`));\n",
    );
    const plugins = ['github', 'mail', 'http-status-push', 'irc'];
    writeFileSync(
      join(dir, 'config.yaml'),
      [
        'sources:',
        '  - { type: http, listen: "127.0.0.1:0" }',
        '  - { type: buildbot, url: "http://127.0.0.1:9/" }',
        'reporters:',
        '  - { plugin: ' + join(repoRoot, 'plugins/github') + ', options: { token: secret } }',
        '  - { plugin: ' +
          join(repoRoot, 'plugins/mail') +
          ', options: { fromaddr: a@example.org, messageFormatter: { template: "<%= x" } } }',
        '  - { plugin: ' +
          join(repoRoot, 'plugins/http-status-push') +
          ', options: { serverUrl: "http://127.0.0.1:9/" } }',
        '  - { plugin: ' +
          join(repoRoot, 'plugins/irc') +
          ', options: { host: 127.0.0.1, nick: bbr, channels: ["#c"] } }',
        '',
      ].join('\n'),
    );
    const result = await runCli(['check', '--config', join(dir, 'config.yaml')], {
      env: { NODE_OPTIONS: `--import=${pathToFileURL(probe).href}` },
    });
    // The mail reporter's inline template does not compile: its generated validator runs the formatter's keyword.
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/reporters\[1\]\.options\.messageFormatter\.template.*does not compile/);
    const loaded = /loaded: (.*)/.exec(result.stderr)?.[1].split(' ') ?? [];
    for (const name of plugins)
      expect(loaded).toContain(join(repoRoot, `plugins/${name}/schema/options.schema.validate.cjs`));
    // yaml as the one file bundled at build (scripts/bundle-dependencies.mjs), not its 73.
    expect(loaded).toContain(join(repoRoot, 'core/vendor/yaml.cjs'));
    expect(
      loaded.filter((file) =>
        /[\\/]node_modules[\\/](ajv[\\/]dist[\\/](compile|core)|better-sqlite3|ws|yaml|pino)[\\/]/.test(file),
      ),
    ).toEqual([]);
  });
});

describe('bbreporters --help', () => {
  it('lists every command, and every command has its own --help', async () => {
    const overview = await runCli(['--help']);
    expect(overview.code).toBe(0);
    for (const command of commands) {
      expect(overview.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
      const help = await runCli([command, '--help']);
      expect(help.code, command).toBe(0);
      expect(help.stdout).toContain(`Usage: bbreporters ${command}`);
      expect(help.stdout).toContain('-h, --help');
    }
  });

  it('exits 2 on an unknown command or option', async () => {
    expect((await runCli(['frobnicate'])).code).toBe(2);
    const option = await runCli(['check', '--confg', 'x.yaml']);
    expect(option.code).toBe(2);
    expect(option.stderr).toMatch(/Unknown option '--confg'/);
  });
});

describe('bbreporters list and schema', () => {
  it("lists the installed plugins with their manifests' validity", async () => {
    const result = await runCli(['list']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(
      /^console\s+@bbreporters\/console@0\.1\.0\s+ok\s+hooks: buildStarted, buildFinished, buildsetFinished, workerMissing$/m,
    );
  });

  it('reports an installed plugin with a broken manifest and exits 1', async () => {
    const dir = tempDir();
    const { mkdirSync, cpSync } = await import('node:fs');
    mkdirSync(join(dir, 'node_modules'), { recursive: true });
    cpSync(join(fixturePlugins, 'marker-bad-manifest'), join(dir, 'node_modules', 'marker-bad-manifest'), {
      recursive: true,
    });
    const result = await runCli(['list', '--dir', dir]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/marker-bad-manifest.*INVALID/);
  });

  it("prints a config schema that checks each installed plugin's options, for editors", async () => {
    const result = await runCli(['schema']);
    expect(result.code, result.stderr).toBe(0);
    const schema = JSON.parse(result.stdout) as Record<string, unknown>;
    const validate = new Ajv2020({ strict: false, allErrors: true, discriminator: true }).compile(schema);
    const config = (text: string) => parse(text) as unknown;
    expect(
      validate(config('reporters: [{ plugin: console, options: { stream: stderr, builders: [a] } }]')),
      JSON.stringify(validate.errors),
    ).toBe(true);
    expect(validate(config('reporters: [{ plugin: console, options: { stram: stderr } }]'))).toBe(false);
    expect(validate(config('reporters: [{ plugin: "@bbreporters/console", options: { format: yaml } }]'))).toBe(false);
    expect(
      validate(parse((await import('node:fs')).readFileSync(join(repoRoot, 'examples/quickstart.yaml'), 'utf8'))),
    ).toBe(true);
  });
});
