/**
 * Editor completion: `bbreporters schema`'s output is one self-contained schema, and a real
 * yaml-language-server (over stdio, associated by the modeline) checks and completes a config with it.
 */
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixturePlugins, repoRoot, runCli, tempDir } from './support/bbreporters-cli.js';
import { LspClient, type CompletionItem, type Diagnostic } from './support/lsp-client.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;
const serverBin = createRequire(import.meta.url).resolve('yaml-language-server/bin/yaml-language-server');

/** Every `$ref` value anywhere in `schema`. */
function refsOf(schema: unknown): string[] {
  if (typeof schema !== 'object' || schema === null) return [];
  return Object.entries(schema).flatMap(([key, value]) =>
    key === '$ref' && typeof value === 'string' ? [value] : refsOf(value),
  );
}

const config = (options: string) =>
  [
    '# yaml-language-server: $schema=bbreporters.schema.json',
    'reporters:',
    '  - plugin: console',
    '  - plugin: mail',
    '    options:',
    ...options.split('\n').map((line) => `      ${line}`),
    '',
  ].join('\n');

describe('bbreporters schema for editors', () => {
  let dir: string;
  let schema: Record<string, unknown>;
  let server: LspClient;
  let version = 0;

  beforeAll(async () => {
    dir = tempDir();
    const result = await runCli(['schema']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    writeFileSync(join(dir, 'bbreporters.schema.json'), result.stdout);
    schema = JSON.parse(result.stdout) as Record<string, unknown>;

    server = new LspClient(process.execPath, [serverBin, '--stdio'], dir, {
      'workspace/configuration': (params) =>
        (params as { items: { section?: string }[] }).items.map(({ section }) =>
          section === 'yaml' ? { validate: true, completion: true, hover: false, schemaStore: { enable: false } } : {},
        ),
    });
    await server.request('initialize', {
      processId: process.pid,
      rootUri: pathToFileURL(dir).href,
      capabilities: {
        workspace: { configuration: true },
        textDocument: { publishDiagnostics: {}, completion: { completionItem: { snippetSupport: true } } },
      },
    });
    server.notify('initialized', {});
    server.notify('workspace/didChangeConfiguration', { settings: null });
  });

  afterAll(async () => {
    await server?.close();
  });

  /** Opens (or re-opens) a config file in the server and returns its diagnostics. */
  async function open(file: string, text: string): Promise<Diagnostic[]> {
    const uri = pathToFileURL(join(dir, file)).href;
    writeFileSync(join(dir, file), text);
    const published = server.nextNotification<{ uri: string; diagnostics: Diagnostic[] }>(
      'textDocument/publishDiagnostics',
      (params) => params.uri === uri,
    );
    server.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: ++version, text } });
    return (await published).diagnostics;
  }

  it('has only local $refs and no $id, and Ajv compiles it and accepts the quick start config', () => {
    expect(refsOf(schema).filter((ref) => !ref.startsWith('#/'))).toEqual([]);
    expect(JSON.stringify(schema)).not.toMatch(/"\$id"/);
    const ajv = new Ajv2020({ strict: false, allErrors: true, discriminator: true });
    addFormats(ajv);
    const validate = ajv.compile(schema);
    const quickstart = parse(readFileSync(join(repoRoot, 'examples/quickstart.yaml'), 'utf8')) as unknown;
    expect(validate(quickstart), JSON.stringify(validate.errors)).toBe(true);
    expect(validate(parse(config('fromaddr: a@b\nmode: sometimes')))).toBe(false);
  });

  it('yaml-language-server accepts a valid config without a diagnostic', async () => {
    expect(await open('valid.yaml', config('fromaddr: buildbot@example.org\nmode: failing'))).toEqual([]);
  });

  it('reports a misspelled plugin option and a wrong filter value on their lines', async () => {
    const diagnostics = await open('typo.yaml', config('fromadr: buildbot@example.org\nmode: sometimes'));
    const summary = diagnostics.map((d) => `${d.range.start.line}: ${d.message}`);
    // Line 5 (0-based) is `fromadr`, line 6 is `mode`; fromaddr is required, so its absence is reported too.
    expect(summary).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^5: Property fromadr is not allowed\./),
        expect.stringMatching(/^6: Value is not accepted\. Valid values: "all", .*"failing"/),
      ]),
    );
    expect(summary.join('\n')).toMatch(/Missing property "fromaddr"/);
    expect(summary.join('\n')).not.toMatch(/cannot be resolved|Unable to load schema/);
  });

  it("completes a reporter's options with its plugin's option names and the filters it accepts", async () => {
    const text = config('fromaddr: buildbot@example.org\n');
    await open('complete.yaml', text);
    const uri = pathToFileURL(join(dir, 'complete.yaml')).href;
    // The empty line after fromaddr, at the options' indentation.
    const line = text.split('\n').indexOf('      ');
    const completion = await server.request<{ items: CompletionItem[] } | CompletionItem[]>('textDocument/completion', {
      textDocument: { uri },
      position: { line, character: 6 },
    });
    const labels = (Array.isArray(completion) ? completion : completion.items).map((item) => item.label);
    expect(labels).toEqual(expect.arrayContaining(['relayhost', 'extraRecipients', 'sendToInterestedUsers', 'mode']));
    expect(labels).not.toContain('stream'); // console's option, not mail's
  });

  it('names a plugin whose options schema refers to a schema it cannot embed, and checks the rest', async () => {
    const project = tempDir();
    const plugin = join(project, 'node_modules', 'marker-plugin');
    mkdirSync(join(project, 'node_modules'));
    cpSync(join(fixturePlugins, 'marker'), plugin, { recursive: true });
    const options = JSON.parse(readFileSync(join(plugin, 'options.schema.json'), 'utf8')) as {
      properties: Record<string, unknown>;
    };
    options.properties.remote = { $ref: 'https://schemas.example.test/remote.json' };
    writeFileSync(join(plugin, 'options.schema.json'), JSON.stringify(options));

    const result = await runCli(['schema', '--dir', project]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(
      /^warning: marker-plugin: \$ref "https:\/\/schemas\.example\.test\/remote\.json" \(at \/\$defs\/plugin\.marker-plugin\/properties\/remote\) names no schema/m,
    );
    const bundled = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(refsOf(bundled).filter((ref) => !ref.startsWith('#/'))).toEqual([]);
    const ajv = new Ajv2020({ strict: false, allErrors: true, discriminator: true });
    addFormats(ajv);
    const validate = ajv.compile(bundled);
    const reporters = (options: unknown) => ({ reporters: [{ plugin: 'marker-plugin', options }] });
    expect(validate(reporters({ marker: 'm', remote: 'anything' })), JSON.stringify(validate.errors)).toBe(true);
    expect(validate(reporters({ marker: 'm', count: 'three' }))).toBe(false);
  });
});
