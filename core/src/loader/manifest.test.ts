import { readdirSync } from 'node:fs';
import { describe, expect, it, test } from 'vitest';
import { describeAjvErrors, validateCollectingSecrets } from '../contracts/schemas.js';
import { isBbrError } from '../diagnostics/errors.js';
import { optionsAjv, optionsValidator, readManifest, validateOptions } from './manifest.js';
import { resolvePlugin } from './resolve.js';

const fixtures = new URL('../../../test/fixtures/plugins/', import.meta.url).pathname;
const formatting = resolvePlugin(`${fixtures}formatting`, '/');
const marker = resolvePlugin(`${fixtures}marker`, '/');
const consolePlugin = resolvePlugin(new URL('../../../plugins/console', import.meta.url).pathname, '/');

/** The located problems validateOptions finds in `options` (none: it accepted them). */
function problems(options: Record<string, unknown>, plugin = formatting): Array<{ path: string; message: string }> {
  try {
    validateOptions(plugin, readManifest(plugin), options, 'reporters[0].options');
  } catch (error) {
    if (!isBbrError(error)) throw error;
    return error.details.map(({ path, message }) => ({ path, message }));
  }
  return [];
}

describe('readManifest', () => {
  test('an invalid manifest is BBR_PLUGIN_MANIFEST, located in the bbreporter key', () => {
    const plugin = resolvePlugin(`${fixtures}marker-bad-manifest`, '/');
    expect(() => readManifest(plugin)).toThrow(
      expect.objectContaining({
        code: 'BBR_PLUGIN_MANIFEST',
        details: [expect.objectContaining({ path: 'bbreporter.hooks[0]' })],
      }),
    );
  });

  test('an apiVersion mismatch names both versions', () => {
    const plugin = resolvePlugin(`${fixtures}future-api`, '/');
    expect(() => readManifest(plugin)).toThrow(
      expect.objectContaining({
        code: 'BBR_PLUGIN_API_VERSION',
        message: expect.stringMatching(/written for plugin API version 2, but this core .* implements API version 1/),
      }),
    );
  });
});

describe('validateOptions', () => {
  test("splits the filters the manifest accepts from the plugin's own options, and collects secret values", () => {
    const validated = validateOptions(
      marker,
      readManifest(marker),
      { marker: 'x', token: 's3cr3t' },
      'reporters[0].options',
    );
    expect(validated).toEqual({ options: { marker: 'x', token: 's3cr3t' }, filters: {}, secrets: new Set(['s3cr3t']) });
    const filtered = validateOptions(
      formatting,
      readManifest(formatting),
      { mode: 'failing', builders: ['a'] },
      'reporters[0].options',
    );
    expect(filtered).toMatchObject({ options: {}, filters: { mode: 'failing', builders: ['a'] } });
  });

  test('a filter the plugin does not accept is reported as such', () => {
    expect(problems({ mode: 'all' }, consolePlugin)).toEqual([
      {
        path: 'reporters[0].options.mode',
        message: expect.stringMatching(
          /is one of core's filters, but @bbreporters\/console does not accept it \(it accepts: builders, tags, schedulers, branches\)/,
        ),
      },
    ]);
  });
});

describe("filter config errors, located and in Buildbot's words", () => {
  test('builders and tags together', () => {
    expect(problems({ builders: ['a'], tags: ['b'] })).toEqual([
      { path: 'reporters[0].options.tags', message: 'Please specify only builders or tags to include - not both.' },
    ]);
  });
  test('"all" inside a mode list replaces the schema\'s enum message, at the list item', () => {
    expect(problems({ mode: ['failing', 'all'] })).toEqual([
      {
        path: 'reporters[0].options.mode[1]',
        message: "mode 'all' is not valid in an iterator and must be passed in as a separate string",
      },
    ]);
  });
  test('an unknown mode string', () => {
    expect(problems({ mode: 'sometimes' })).toEqual([
      { path: 'reporters[0].options.mode', message: 'mode sometimes is not a valid mode' },
    ]);
  });
  test('valid filters and formatter options are accepted', () => {
    expect(
      problems({
        mode: 'warnings',
        tags: ['x'],
        schedulers: ['s'],
        branches: ['main'],
        messageFormatter: { template: 'x', template_type: 'html' },
      }),
    ).toEqual([]);
  });
});

describe("formatter option errors, in Buildbot's words", () => {
  test('formatter options are validated against message-formatter.schema.json', () => {
    expect(
      problems({ messageFormatter: { template_type: 'pdf', wantSteps: 'yes' } })
        .map((p) => p.path)
        .sort(),
    ).toEqual([
      'reporters[0].options.messageFormatter.template_type',
      'reporters[0].options.messageFormatter.wantSteps',
    ]);
  });
  test('template with template_dir, subject with subject_filename, a subject with a newline', () => {
    expect(
      problems({
        messageFormatter: { template: 'x', template_dir: 'tpl', subject: 'a\nb', subject_filename: 's.ejs' },
      }),
    ).toEqual([
      {
        path: 'reporters[0].options.messageFormatter.template',
        message: 'Only one of template or template path can be given',
      },
      {
        path: 'reporters[0].options.messageFormatter.subject',
        message: 'Only one of subject or subject_filename can be given',
      },
      {
        path: 'reporters[0].options.messageFormatter.subject',
        message: 'Newlines are not allowed in message subjects',
      },
    ]);
  });
  test('an inline template that does not compile, in the missing-worker formatter too', () => {
    expect(problems({ messageFormatterMissingWorker: { template: 'a <% if ( %> b' } })).toEqual([
      {
        path: 'reporters[0].options.messageFormatterMissingWorker.template',
        message: "does not compile: Unexpected token ';' while compiling ejs",
      },
    ]);
  });
});

describe("shipped plugins' generated options validators (npm run build)", () => {
  const shipped = readdirSync(new URL('../../../plugins/', import.meta.url)).map((name) =>
    resolvePlugin(new URL(`../../../plugins/${name}`, import.meta.url).pathname, '/'),
  );
  /** Options every plugin rejects or completes: unknown keys, wrong types, nothing at all (defaults). */
  const samples: unknown[] = [{}, { bogus: 1, token: 5, password: 'pw-1' }, { template: '<%= oops', subject: 'a\nb' }];

  it.each(shipped.map((plugin) => [plugin.packageName, plugin] as const))(
    '%s: the generated validator, with the same verdicts, errors, defaults and secrets as compiling the schema',
    (_name, plugin) => {
      const { validate, schema } = optionsValidator(plugin, readManifest(plugin));
      const compiled = optionsAjv().compile(schema);
      expect(validate).not.toBe(compiled);
      const outcome = (v: typeof validate, data: unknown) => {
        const input = structuredClone(data);
        const { valid, secrets } = validateCollectingSecrets(v, input);
        return { valid, input, secrets: [...secrets], errors: describeAjvErrors(v.errors) };
      };
      for (const data of samples) expect(outcome(validate, data)).toEqual(outcome(compiled, data));
    },
  );
});
