import { describe, expect, test } from 'vitest';
import type { BbrError } from '../diagnostics/errors.js';
import { prepareReporters } from '../loader/prepare.js';

const plugin = new URL('../../../test/fixtures/plugins/formatting', import.meta.url).pathname;

function problems(options: Record<string, unknown>): Array<{ path: string; message: string }> {
  try {
    prepareReporters([{ plugin, options }], '/');
  } catch (error) {
    return (error as BbrError).details.map(({ path, message }) => ({ path, message }));
  }
  return [];
}

describe('filter config errors, located and in Buildbot\'s words', () => {
  test('builders and tags together', () => {
    expect(problems({ builders: ['a'], tags: ['b'] })).toEqual([
      { path: 'reporters[0].options.tags', message: 'Please specify only builders or tags to include - not both.' },
    ]);
  });
  test('"all" inside a mode list replaces the schema\'s enum message', () => {
    expect(problems({ mode: ['failing', 'all'] })).toEqual([
      { path: 'reporters[0].options.mode', message: "mode 'all' is not valid in an iterator and must be passed in as a separate string" },
    ]);
  });
  test('an unknown mode string', () => {
    expect(problems({ mode: 'sometimes' })).toEqual([{ path: 'reporters[0].options.mode', message: 'mode sometimes is not a valid mode' }]);
  });
  test('valid filters and formatter options prepare', () => {
    expect(problems({ mode: 'warnings', tags: ['x'], schedulers: ['s'], branches: ['main'], messageFormatter: { template: 'x', template_type: 'html' } })).toEqual([]);
  });
  test('a filter the plugin does not accept is reported as such', () => {
    const console = new URL('../../../plugins/console', import.meta.url).pathname;
    try {
      prepareReporters([{ plugin: console, options: { mode: 'all' } }], '/');
      expect.unreachable();
    } catch (error) {
      expect((error as BbrError).details[0]).toMatchObject({ path: 'reporters[0].options.mode', message: expect.stringMatching(/does not accept it/) });
    }
  });
  test('formatter options are validated against message-formatter.schema.json', () => {
    expect(problems({ messageFormatter: { template_type: 'pdf', wantSteps: 'yes' } }).map((p) => p.path).sort()).toEqual([
      'reporters[0].options.messageFormatter.template_type',
      'reporters[0].options.messageFormatter.wantSteps',
    ]);
  });
});

describe("formatter option errors at check time, in Buildbot's words", () => {
  test('template with template_dir, subject with subject_filename, a subject with a newline', () => {
    expect(problems({ messageFormatter: { template: 'x', template_dir: 'tpl', subject: 'a\nb', subject_filename: 's.ejs' } })).toEqual([
      { path: 'reporters[0].options.messageFormatter.template', message: 'Only one of template or template path can be given' },
      { path: 'reporters[0].options.messageFormatter.subject', message: 'Only one of subject or subject_filename can be given' },
      { path: 'reporters[0].options.messageFormatter.subject', message: 'Newlines are not allowed in message subjects' },
    ]);
  });
  test('an inline template that does not compile, in the missing-worker formatter too', () => {
    expect(problems({ messageFormatterMissingWorker: { template: 'a <% if ( %> b' } })).toEqual([
      { path: 'reporters[0].options.messageFormatterMissingWorker.template', message: "does not compile: Unexpected token ';' while compiling ejs" },
    ]);
  });
});
