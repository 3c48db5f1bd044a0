import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { BbrError } from '../diagnostics/errors.js';
import type { BuildPayload, BuildsetPayload } from '../events/events.js';
import { fixture, fixtures } from '../testing/fixtures.js';
import { createMessageFormatter, createMissingWorkerFormatter, type FormatterEnv } from './message-formatter.js';

const configDir = mkdtempSync(join(tmpdir(), 'bbr-formatter-'));
const env: FormatterEnv = {
  reporter: 'mail',
  config: { title: 'bbharness', buildbotURL: 'http://127.0.0.1:8010/', stateDir: configDir, configDir, dryRun: false },
};
const payload = (input: Record<string, unknown>) => input as unknown as BuildPayload;

/** Subject and body of a captured Buildbot mail (RFC 2047 subject decoded). */
function buildbotMail(name: string): { subject: string; body: string } {
  const raw = readFileSync(new URL(`./buildbot-mails/${name}.eml`, import.meta.url), 'utf8').replace(/\r\n/g, '\n');
  const [head, ...rest] = raw.split('\n\n');
  const encoded = /^Subject: (.*)$/m.exec(head)![1];
  const subject = encoded.replace(/=\?utf-8\?([bq])\?(.*?)\?=/gi, (_, kind: string, text: string) =>
    kind.toLowerCase() === 'b'
      ? Buffer.from(text, 'base64').toString('utf8')
      : Buffer.from(
          text.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))),
          'latin1',
        ).toString('utf8'),
  );
  return { subject, body: rest.join('\n\n') };
}

describe("default messages are Buildbot 3.7's (compared with its real mails)", () => {
  for (const name of ['pass', 'fail', 'warn'] as const) {
    test(`${name}: same subject and body`, async () => {
      const message = await createMessageFormatter({}, env).formatBuild(payload(fixture(`${name}.finished`)));
      const mail = buildbotMail(name);
      expect(message.type).toBe('plain');
      expect(message.subject).toBe(mail.subject);
      expect(message.body.trimEnd()).toBe(mail.body.trimEnd());
    });
  }

  test("buildset summary: bodies in build order, the first build's subject", async () => {
    const event = fixtures.buildset() as { payload: BuildsetPayload };
    // The buildbot source fetches properties and logs (wantProperties, wantLogs); the captured frames carry neither.
    const log = (name: string, slug: string) => ({
      logid: 1,
      name,
      slug,
      stepid: 1,
      complete: true,
      num_lines: 1,
      type: 's',
    });
    for (const build of event.payload.builds) {
      build.properties = {
        workername: ['local-worker', 'Worker'],
        reason: ['harness scenario multi', 'Force Build Form'],
        project: ['', 'Build'],
      };
      for (const step of build.steps!.slice(1)) {
        Object.assign(step, {
          logs: [log('stdio', 'stdio'), ...(step.name === 'compile' ? [log('warnings (2)', 'warnings__2_')] : [])],
        });
      }
    }
    const message = await createMessageFormatter({}, env).formatBuildset(event);
    const mail = buildbotMail('multi-buildset');
    expect(message.subject).toBe(mail.subject);
    expect(message.body.trimEnd()).toBe(mail.body.trimEnd());
  });

  test('cancelled build: status "cancelled build", its steps and the build url', async () => {
    const message = await createMessageFormatter({}, env).formatBuild(payload(fixtures.cancel.finished()));
    expect(message.subject).toMatch(/^☝ Buildbot \(bbharness\): slow - /);
    expect(message.body).toMatch(
      /^A cancelled build has been detected on builder slow while building bbharness\.\n\nFull details are available at:\n {4}http:\/\/127\.0\.0\.1:8010\/#builders\/\d+\/builds\/2\n/,
    );
    expect(message.body).toContain('Build Reason: harness scenario cancel');
  });

  test('missing worker: same subject and body', async () => {
    const message = await createMissingWorkerFormatter({}, env).formatWorkerMissing(fixtures.workerMissing() as never);
    const mail = buildbotMail('worker-missing');
    expect(message.subject).toBe(mail.subject);
    expect(message.body.trimEnd()).toBe(mail.body.trimEnd());
  });

  test('missing worker with an admin on record names the admin', async () => {
    const event = fixtures.workerMissing() as { payload: { worker: Record<string, unknown> } };
    event.payload.worker.workerinfo = { admin: 'Ops <ops@example.test>' };
    const message = await createMissingWorkerFormatter({ template_type: 'html' }, env).formatWorkerMissing(
      event as never,
    );
    expect(message.body).toContain(
      '<p>The admin on record (as reported by WORKER:info/admin) was Ops &lt;ops@example.test&gt;.</p>',
    );
  });

  test("html default: the sentence links the builder, steps carry Buildbot's result styles", async () => {
    const message = await createMessageFormatter({ template_type: 'html' }, env).formatBuild(
      payload(fixture('warn.finished')),
    );
    expect(message.type).toBe('html');
    expect(message.body).toContain(
      '<p>A problem in the build has been detected on builder <a href="http://127.0.0.1:8010/#builders/6/builds/1">warn</a> while building bbharness.</p>',
    );
    expect(message.body).toContain('<li style="color: #f80;">');
    expect(message.body).toContain(
      '(<a href="http://127.0.0.1:8010/#builders/6/builds/1/steps/1/logs/stdio">&lt;stdio&gt;</a>)',
    );
  });

  test('change mode in the context: a failure after a success is a "new failure"', async () => {
    const build = payload(fixture('fail.finished'));
    build.prev_build = { ...build, number: 0, results: 0 };
    const message = await createMessageFormatter(
      { template: '<%= status_detected %> <%= previous_results %> <%= mode.join() %>' },
      env,
    ).formatBuild(build, { mode: 'change' });
    expect(message.body).toBe('new failure 0 change');
  });
});

describe('html escaping of event data', () => {
  const hostile = () => {
    const build = payload(fixture('fail.finished'));
    build.builder.name = '<script>alert(1)</script>';
    build.properties!.reason = ['<img src=x onerror=alert(2)>', 'Force Build Form'];
    return build;
  };
  test('html output escapes a builder name and a property', async () => {
    const message = await createMessageFormatter({ template_type: 'html' }, env).formatBuild(hostile());
    expect(message.body).not.toMatch(/<script|<img/);
    expect(message.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(message.body).toContain('&lt;img src=x onerror=alert(2)&gt;');
  });
  test('a user html template escapes with <%= %> too', async () => {
    const message = await createMessageFormatter(
      { template: '<h4><%= buildername %></h4>', template_type: 'html' },
      env,
    ).formatBuild(hostile());
    expect(message.body).toBe('<h4>&lt;script&gt;alert(1)&lt;/script&gt;</h4>');
  });
  test('plain output and subjects keep the text as is', async () => {
    const message = await createMessageFormatter({}, env).formatBuild(hostile());
    expect(message.body).toContain('builder <script>alert(1)</script> while');
    expect(message.subject).toContain(': <script>alert(1)</script> - ');
  });
});

describe('MessageFormatter arguments', () => {
  test("the seed's short template: STATUS: summary", async () => {
    const message = await createMessageFormatter({ template: 'STATUS: <%= summary %>' }, env).formatBuild(
      payload(fixture('fail.finished')),
    );
    expect(message).toEqual({ body: "STATUS: BUILD FAILED: failed 'false' (failure)", type: 'plain' });
  });
  test('an inline subject template', async () => {
    const message = await createMessageFormatter(
      { template: 'b', subject: '<%= buildername %>: <%= summary %>' },
      env,
    ).formatBuild(payload(fixture('pass.finished')));
    expect(message.subject).toBe('pass: Build succeeded!');
  });
  test('template_dir with template_filename and subject_filename, relative to the config folder', async () => {
    mkdirSync(join(configDir, 'tpl'), { recursive: true });
    writeFileSync(join(configDir, 'tpl', 'body.ejs'), 'Worker <%= workername %> on <%= buildername %>\n');
    writeFileSync(join(configDir, 'tpl', 'subject.ejs'), '[<%= buildbot_title %>] <%= status_detected %>\n');
    const f = createMessageFormatter(
      { template_dir: 'tpl', template_filename: 'body.ejs', subject_filename: 'subject.ejs' },
      env,
    );
    expect(await f.formatBuild(payload(fixture('pass.finished')))).toEqual({
      subject: '[bbharness] passing build',
      body: 'Worker local-worker on pass',
      type: 'plain',
    });
  });
  test('template_dir alone reads default_mail.txt', async () => {
    mkdirSync(join(configDir, 'legacy'), { recursive: true });
    writeFileSync(join(configDir, 'legacy', 'default_mail.txt'), 'legacy <%= build_url %>');
    const message = await createMessageFormatter({ template_dir: 'legacy' }, env).formatBuild(
      payload(fixture('pass.finished')),
    );
    expect(message).toEqual({ body: 'legacy http://127.0.0.1:8010/#builders/1/builds/1', type: 'plain' });
  });
  test('ctx adds variables and overrides built-in ones', async () => {
    const f = createMessageFormatter(
      {
        template: '<%= statuses[results] %> <%= projects %>',
        ctx: { statuses: ['ok', 'warn', 'KO'], projects: 'mine' },
      },
      env,
    );
    expect((await f.formatBuild(payload(fixture('fail.finished')))).body).toBe('KO mine');
  });
  test('buildAdditionalContext as a module reference from the config folder', async () => {
    writeFileSync(
      join(configDir, 'extra.mjs'),
      'export async function more(ctx, { build }) { ctx.extra = `#${build.number}`; return { also: ctx.buildername.toUpperCase() }; }\n',
    );
    const f = createMessageFormatter(
      { template: '<%= extra %> <%= also %>', buildAdditionalContext: './extra.mjs#more' },
      env,
    );
    expect((await f.formatBuild(payload(fixture('fail.finished')))).body).toBe('#1 FAIL');
  });
  test('wantProperties, wantSteps and wantLogs decide what build holds', async () => {
    const probe =
      '<%= Object.keys(build.properties).length %> <%= build.steps ? build.steps.length : "-" %> <%= build.steps && build.steps[1].logs ? "logs" : "-" %>';
    const build = payload(fixture('fail.finished'));
    expect((await createMessageFormatter({ template: probe }, env).formatBuild(build)).body).toMatch(/^\d+ - -$/);
    expect(
      (
        await createMessageFormatter({ template: probe, wantProperties: false, wantSteps: true }, env).formatBuild(
          build,
        )
      ).body,
    ).toBe('0 2 -');
    expect((await createMessageFormatter({ template: probe, wantLogs: true }, env).formatBuild(build)).body).toMatch(
      /^\d+ 2 logs$/,
    );
    expect(createMessageFormatter({}, env).wants).toEqual({ properties: true, steps: true, logs: true });
  });
  test("the template variables of the seed's table are all there", async () => {
    const names = [
      'buildername',
      'projects',
      'mode',
      'build_url',
      'buildbot_url',
      'build',
      'workername',
      'blamelist',
      'summary',
      'status_detected',
      'results',
      'result_names',
      'buildset',
      'is_buildset',
      'previous_results',
      'buildbot_title',
      'sourcestamps',
    ];
    const f = createMessageFormatter({ template: names.map((n) => `<%= typeof ${n} %>`).join(' ') }, env);
    expect((await f.formatBuild(payload(fixture('pass.finished')))).body.split(' ')).not.toContain('undefined');
  });
  test('the blamelist comes from changes, owner and owners when the event has none, sorted', async () => {
    const build = payload(fixture('change-fail.finished'));
    build.changes = [
      { changeid: 1, author: 'zed <z@example.test>' },
      { changeid: 2, author: 'amy' },
    ] as BuildPayload['changes'];
    build.properties!.owner = ['bob', 'Force'];
    const f = createMessageFormatter({ template: '<%= blamelist.join("|") %>' }, env);
    expect((await f.formatBuild(build)).body).toBe('Harness Dev <dev@example.test>|amy|bob|zed <z@example.test>');
  });
});

describe('formatter errors name the reporter and the template', () => {
  const problem = (fn: () => unknown): BbrError => {
    try {
      fn();
    } catch (error) {
      return error as BbrError;
    }
    throw new Error('expected an error');
  };
  test('template together with template_dir', () => {
    expect(problem(() => createMessageFormatter({ template: 'x', template_dir: 'tpl' }, env))).toMatchObject({
      code: 'BBR_FORMATTER_OPTIONS',
      message: 'reporter "mail": Only one of template or template path can be given',
    });
  });
  test('an unknown template_type', () => {
    expect(problem(() => createMessageFormatter({ template_type: 'pdf' as never }, env)).message).toBe(
      'reporter "mail": MessageFormatter: template type pdf is not known to pick default template',
    );
  });
  test('a subject with a newline', () => {
    expect(problem(() => createMessageFormatter({ subject: 'a\nb' }, env)).message).toBe(
      'reporter "mail": Newlines are not allowed in message subjects',
    );
  });
  test('a missing template file', () => {
    expect(
      problem(() => createMessageFormatter({ template_dir: 'nowhere', template_filename: 'x.ejs' }, env)).message,
    ).toMatch(/^reporter "mail": template .*nowhere\/x\.ejs does not exist$/);
  });
  test('a template that does not compile', () => {
    const error = problem(() => createMessageFormatter({ template: 'a <% if ( %> b' }, env));
    expect(error.code).toBe('BBR_FORMATTER_OPTIONS');
    expect(error.message).toBe(
      'reporter "mail": template "inline template" does not compile: SyntaxError: Unexpected token \';\' while compiling ejs',
    );
  });
  test('a template that fails at render time rejects with BBR_TEMPLATE', async () => {
    const f = createMessageFormatter({ template: 'x <%= nope.deeper %>' }, env);
    await expect(f.formatBuild(payload(fixture('pass.finished')))).rejects.toMatchObject({
      code: 'BBR_TEMPLATE',
      message: expect.stringMatching(
        /^reporter "mail": template "inline template" failed for build 1 of builder "pass": ReferenceError: nope is not defined \(line 1\)$/,
      ),
    });
  });
  test('line breaks that event data puts in a subject are folded into spaces, the message is kept', async () => {
    const build = fixture('pass.finished');
    (build.properties as Record<string, unknown>).branch = ['main\r\nBcc: evil@example.org', 'Build'];
    const f = createMessageFormatter({ template: 'x', subject: 'on <%= prop("branch") %>' }, env);
    expect((await f.formatBuild(payload(build))).subject).toBe('on main Bcc: evil@example.org');
  });
  test('a buildAdditionalContext whose file is missing', () => {
    expect(problem(() => createMessageFormatter({ buildAdditionalContext: './missing.mjs#fn' }, env)).message).toMatch(
      /^reporter "mail": buildAdditionalContext "\.\/missing\.mjs#fn": .*missing\.mjs does not exist$/,
    );
  });
});
