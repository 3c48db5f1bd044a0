/**
 * @bbreporters/mail against a real SMTP server (smtp-server on loopback, STARTTLS with a
 * certificate made at test time, AUTH) with the real Buildbot 3.7 captures: what arrives
 * (envelope, headers, body, attachments) for every kind of mail, compared with the mails Buildbot
 * itself sent for the same builds.
 */
import { createHarness, fixture, fixtures, type Harness } from '@bbreporters/core/testing';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { buildbotMail, mailHarness, mailPlugin, smtpOptions, tempFolder } from './support/mail-harness.js';
import { parseMail } from './support/mime.js';
import { TestSmtpServer } from './support/smtp.js';

let smtp: TestSmtpServer;
let harness: Harness | undefined;

beforeAll(async () => {
  smtp = await TestSmtpServer.start({ auth: { user: 'bbmail', pass: 'pa$$word' } });
});
afterAll(async () => smtp.stop());
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

/** Starts the reporter, emits the events, waits for every delivery; returns the mails that arrived meanwhile. */
async function run(options: Record<string, unknown>, ...events: unknown[]) {
  const before = smtp.received.length;
  const dir = tempFolder();
  harness = await mailHarness(
    {
      ...smtpOptions(smtp, dir),
      smtpUser: 'bbmail',
      smtpPassword: 'pa$$word',
      extraRecipients: ['dev@example.test'],
      ...options,
    },
    dir,
  );
  for (const event of events) await harness.emit(event);
  await harness.drain();
  const received = smtp.received.slice(before);
  return { received, mails: received.map((r) => parseMail(r.raw)), harness };
}

const finishedBuild = (name: 'pass' | 'fail' | 'warn' | 'cancel') => fixtures[name].finished();

describe('per-build mails (mode all) against Buildbot 3.7', () => {
  test.each(['pass', 'fail', 'warn'] as const)(
    '%s: same subject and body as Buildbot sent, over STARTTLS with AUTH',
    async (name) => {
      const { received, mails } = await run({ mode: 'all' }, finishedBuild(name));
      expect(received).toHaveLength(1);
      const [mail] = mails;
      const theirs = parseMail(buildbotMail(`${name}.eml`));
      expect(received[0]).toMatchObject({
        from: 'buildbot@bbharness.test',
        to: ['dev@example.test'],
        secure: true,
        user: 'bbmail',
      });
      expect(mail.subject).toBe(theirs.subject);
      expect(mail.text).toBe(theirs.text);
      expect(mail.header('from')).toBe(theirs.header('from'));
      expect(mail.header('to')).toBe(theirs.header('to'));
      expect(mail.header('content-type')).toMatch(/^text\/plain; charset="?utf-8"?$/);
      // As Buildbot: 7bit, although lines are longer than 76 characters.
      expect(mail.header('content-transfer-encoding')).toBe('7bit');
      expect(/^[\x00-\x7f]*$/.test(received[0].raw)).toBe(true);
      expect(mail.header('mime-version')).toBe('1.0');
      expect(new Date(mail.header('date')!).getTime()).toBeGreaterThan(Date.now() - 60_000);
      expect(mail.header('message-id')).toMatch(/^<[^@>]+@bbharness\.test>$/);
    },
  );

  test('cancel: a cancelled build is reported with its state and the ☝ subject', async () => {
    const { mails } = await run({ mode: 'all' }, finishedBuild('cancel'));
    expect(mails).toHaveLength(1);
    expect(mails[0].subject).toMatch(/^☝ Buildbot \(bbharness\): slow - /);
    expect(mails[0].text).toMatch(/^A cancelled build has been detected on builder slow while building bbharness\./);
  });

  test("Buildbot's default mode (failing, passing, warnings) mails pass, fail and warn but not cancel", async () => {
    const { mails } = await run(
      {},
      finishedBuild('pass'),
      finishedBuild('fail'),
      finishedBuild('warn'),
      finishedBuild('cancel'),
    );
    expect(mails.map((m) => m.subject.split(' ')[3])).toEqual(['pass', 'fail', 'warn']);
  });

  test('mode failing: only the failed build is mailed', async () => {
    const { mails } = await run(
      { mode: ['failing'] },
      finishedBuild('pass'),
      finishedBuild('fail'),
      finishedBuild('warn'),
    );
    expect(mails).toHaveLength(1);
    expect(mails[0].subject).toContain(': fail - ');
  });

  test('builders and tags filters come from core', async () => {
    expect(
      (await run({ builders: ['warn'] }, finishedBuild('pass'), finishedBuild('warn'))).mails.map((m) => m.subject),
    ).toEqual([expect.stringContaining(': warn - ')]);
    await harness?.close();
    expect(
      (await run({ tags: ['failing'] }, finishedBuild('pass'), finishedBuild('fail'))).mails.map((m) => m.subject),
    ).toEqual([expect.stringContaining(': fail - ')]);
  });
});

describe('sequences where the previous build differs', () => {
  /** Build `number` of builder "pass" with `results`, its prev_build left to core's history. */
  const passBuilder = (number: number, results: number) => {
    const b = fixture('pass.finished') as Record<string, unknown>;
    delete b.prev_build;
    return { ...b, buildid: 100 + number, number, results, url: `http://127.0.0.1:8010/#builders/1/builds/${number}` };
  };

  test('mode change: the new failure and the restored build are mailed, the repeated failure is not', async () => {
    const { mails } = await run(
      { mode: ['change'] },
      passBuilder(1, 0),
      passBuilder(2, 2),
      passBuilder(3, 2),
      passBuilder(4, 0),
    );
    expect(mails.map((m) => m.text.split('\n')[0])).toEqual([
      'A new failure has been detected on builder pass while building bbharness.',
      'A restored build has been detected on builder pass while building bbharness.',
    ]);
    expect(mails[0].text).toContain('http://127.0.0.1:8010/#builders/1/builds/2');
    expect(mails[1].text).toContain('http://127.0.0.1:8010/#builders/1/builds/4');
  });

  test('mode problem: only a failure after a success is mailed', async () => {
    const { mails } = await run({ mode: ['problem'] }, passBuilder(1, 0), passBuilder(2, 2), passBuilder(3, 2));
    expect(mails).toHaveLength(1);
    expect(mails[0].text).toMatch(/^A new failure has been detected/);
  });

  test('the captured cancel build, whose previous build passed, is not a problem but is a change', async () => {
    expect((await run({ mode: ['problem'] }, finishedBuild('cancel'))).mails).toHaveLength(0);
    await harness?.close();
    expect((await run({ mode: ['change'] }, finishedBuild('cancel'))).mails).toHaveLength(1);
  });
});

describe('buildSetSummary', () => {
  /**
   * The captured websocket frames carry no properties and no logs: the buildbot source fetches
   * them over REST (the manifest `needs` steps and logs). Here the test adds what REST returns.
   */
  const restEnrichedBuildset = () => {
    const event = fixtures.buildset() as {
      payload: {
        builds: Array<{
          properties: Record<string, unknown>;
          steps: Array<{ stepid: number; number: number; name: string; logs?: unknown[] }>;
        }>;
      };
    };
    for (const build of event.payload.builds) {
      build.properties = {
        reason: ['harness scenario multi', 'Force Build Form'],
        workername: ['local-worker', 'Worker'],
        project: ['', 'Build'],
        branch: ['', 'Build'],
      };
      for (const step of build.steps) {
        const names =
          step.number === 0
            ? []
            : step.name === 'compile'
              ? [
                  ['stdio', 'stdio'],
                  ['warnings (2)', 'warnings__2_'],
                ]
              : [['stdio', 'stdio']];
        step.logs = names.map(([name, slug], i) => ({
          logid: step.stepid * 10 + i,
          name,
          slug,
          stepid: step.stepid,
          type: 's',
        }));
      }
    }
    return event;
  };

  test('one mail for the whole buildset with the bodies Buildbot sent, and no per-build mail', async () => {
    const { received, mails } = await run(
      { buildSetSummary: true, mode: 'all' },
      finishedBuild('pass'),
      restEnrichedBuildset(),
    );
    expect(received).toHaveLength(1);
    const theirs = parseMail(buildbotMail('multi-buildset.eml'));
    expect(mails[0].text).toBe(theirs.text);
    expect(mails[0].subject).toBe(theirs.subject);
    expect(received[0].to).toEqual(['dev@example.test']);
  });

  test('only the builds that pass the filters are in the summary', async () => {
    const { mails } = await run({ buildSetSummary: true, mode: ['failing'] }, fixtures.buildset());
    expect(mails).toHaveLength(1);
    expect(mails[0].text).toMatch(/^A failed build has been detected on builder fail/);
    expect(mails[0].text).not.toContain('builder pass');
    expect(mails[0].text).not.toContain('builder warn');
  });

  test('extraHeaders: constant values are added, templates are left out of a mail about several builds', async () => {
    const { mails } = await run(
      { buildSetSummary: true, extraHeaders: { 'X-Constant': 'yes', 'X-Builder': '<%= buildername %>' } },
      fixtures.buildset(),
    );
    expect(mails[0].header('x-constant')).toBe('yes');
    expect(mails[0].header('x-builder')).toBeUndefined();
  });

  test('the %-subject names the whole buildset and its result', async () => {
    const { mails } = await run(
      { buildSetSummary: true, subject: 'Buildbot %(result)s in %(title)s on %(builder)s' },
      fixtures.buildset(),
    );
    expect(mails[0].subject).toBe('Buildbot failure in bbharness on whole buildset');
  });
});

describe('missing worker', () => {
  test("mails the worker's notify addresses, envelope only, with Buildbot's subject and body", async () => {
    const { received, mails } = await run({}, fixtures.workerMissing());
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ from: 'buildbot@bbharness.test', to: ['ops@example.test'] });
    const theirs = parseMail(buildbotMail('worker-missing.eml'));
    expect(mails[0].header('to')).toBeUndefined();
    expect(theirs.header('to')).toBeUndefined();
    expect(mails[0].subject).toBe(theirs.subject);
    expect(mails[0].text).toBe(theirs.text);
  });

  test('watchedWorkers leaves out workers not listed', async () => {
    expect((await run({ watchedWorkers: ['other-worker'] }, fixtures.workerMissing())).received).toHaveLength(0);
    await harness?.close();
    expect((await run({ watchedWorkers: ['ghost-worker'] }, fixtures.workerMissing())).received).toHaveLength(1);
  });
});

describe('recipients', () => {
  const withUsers = (owners: unknown[], authors: string[] = []) => {
    const b = fixture('fail.finished') as Record<string, Record<string, unknown>>;
    b.properties.owners = [owners, 'Build'];
    (b as Record<string, unknown>).changes = authors.map((author, i) => ({ changeid: i + 1, author }));
    return b;
  };

  test('interested users (owners and change authors) through a lookup domain get To, extraRecipients Cc', async () => {
    const { received, mails } = await run(
      { lookup: 'example.org' },
      withUsers(['Big Bob <bob@mayhem.net>'], ['narrator', 'bob@mayhem.net']),
    );
    expect(received[0].to.sort()).toEqual(['bob@mayhem.net', 'dev@example.test', 'narrator@example.org']);
    expect(mails[0].header('to')).toBe('Big Bob <bob@mayhem.net>, narrator@example.org');
    expect(mails[0].header('cc')).toBe('dev@example.test');
    expect(mails[0].text).toContain('Blamelist: Big Bob <bob@mayhem.net>, bob@mayhem.net, narrator');
  });

  test('without lookup, a bare user name is skipped with a warning', async () => {
    const { received, harness: h } = await run({}, withUsers(['narrator']));
    expect(received[0].to).toEqual(['dev@example.test']);
    expect(h.logs.some((l) => l.includes('INVALID EMAIL') && l.includes('narrator'))).toBe(true);
  });

  test('sendToInterestedUsers false: only the extra recipients, in To', async () => {
    const { received, mails } = await run(
      { sendToInterestedUsers: false, lookup: 'example.org' },
      withUsers(['alice']),
    );
    expect(received[0].to).toEqual(['dev@example.test']);
    expect(mails[0].header('to')).toBe('dev@example.test');
    expect(mails[0].header('cc')).toBeUndefined();
  });

  test('the captured change builds mail their owner', async () => {
    const { received, mails } = await run({ mode: 'all' }, fixture('change-fail.finished'));
    expect(received[0].to.sort()).toEqual(['dev@example.test']);
    expect(mails[0].header('to')).toBe('Harness Dev <dev@example.test>');
    expect(mails[0].header('cc')).toBeUndefined();
  });
});

describe('injection', () => {
  test('an author or owner holding an address list or a CRLF header adds no recipient and no header', async () => {
    const b = fixture('fail.finished') as Record<string, Record<string, unknown>>;
    b.properties.owners = [
      ['a@x.org, evil@y.org', 'a@x.org,evil2@y.org', 'a@x.org\r\nBcc: evil3@y.org', 'Name <a@x.org>, evil4@y.org'],
      'Build',
    ];
    b.properties.reason = ['harness\r\nBcc: evil5@y.org\r\nX-Evil: 1', 'Force Build Form'];
    (b as Record<string, unknown>).changes = [
      { changeid: 1, author: 'ok@x.org\r\nBcc: evil6@y.org' },
      { changeid: 2, author: 'ok@x.org, evil7@y.org' },
    ];
    const {
      received,
      mails,
      harness: h,
    } = await run({ mode: 'all', lookup: 'x.org', extraHeaders: { 'X-Build-Reason': "<%= prop('reason') %>" } }, b);
    expect(received).toHaveLength(1);
    expect(received[0].to).toEqual(['dev@example.test']);
    const headers = mails[0].headers;
    expect(headers.map(([name]) => name)).not.toContain('bcc');
    expect(headers.map(([name]) => name)).not.toContain('x-evil');
    // The only trace of the attempts is the one header whose value holds the (flattened) property.
    expect(headers.filter(([, value]) => value.includes('evil')).map(([name]) => name)).toEqual(['x-build-reason']);
    expect(mails[0].header('x-build-reason')).toBe('harness Bcc: evil5@y.org X-Evil: 1');
    expect(h.logs.filter((l) => l.includes('INVALID EMAIL')).length).toBeGreaterThanOrEqual(6);
  });
});

describe('a huge extra header', () => {
  test('an extraHeaders template rendering 1 MiB from event data is left out (logged); the mail is sent', async () => {
    const b = fixture('fail.finished') as { properties: Record<string, unknown> };
    b.properties.reason = ['x'.repeat(1024 * 1024), 'Force Build Form'];
    const {
      received,
      mails,
      harness: h,
    } = await run({ mode: 'all', extraHeaders: { 'X-Build-Reason': "<%= prop('reason') %>", 'X-Ok': 'yes' } }, b);
    expect(received).toHaveLength(1);
    expect(mails[0].header('x-ok')).toBe('yes');
    expect(mails[0].header('x-build-reason')).toBeUndefined();
    expect(h.logs.some((l) => l.includes('extra header left out: it renders to 1048576 characters'))).toBe(true);
  });
});

describe('message contents', () => {
  const withLogAndPatch = () => {
    const b = fixture('fail.finished') as {
      steps: Array<{ logs: Array<Record<string, unknown>> }>;
      buildset: { sourcestamps: Array<Record<string, unknown>> };
    };
    b.steps[1].logs[0].content = 'hfalse\nofailed with ☠ Unicode log\n';
    b.buildset.sourcestamps[0].patch = { patchid: 1, body: 'diff --git a/x b/x\n+ünïcode\n', level: 1, subdir: '.' };
    return b;
  };

  test('addLogs and addPatch attach the log and the patch after the body', async () => {
    const { mails } = await run({ addLogs: true }, withLogAndPatch());
    const [mail] = mails;
    expect(mail.contentType).toMatch(/^multipart\/mixed/);
    expect(mail.text).toMatch(/^A failed build has been detected/);
    expect(mail.attachments.map((a) => [a.filename, a.content])).toEqual([
      ['source patch 0', 'diff --git a/x b/x\n+ünïcode\n'],
      ['false.stdio', 'hfalse\nofailed with ☠ Unicode log\n'],
    ]);
    expect(mail.attachments[1].disposition).toMatch(/^attachment; filename="?false\.stdio"?$/);
  });

  test('addLogs by name and addPatch false', async () => {
    expect((await run({ addLogs: ['nonexistent'], addPatch: false }, withLogAndPatch())).mails[0].attachments).toEqual(
      [],
    );
    await harness?.close();
    expect(
      (await run({ addLogs: ['false.stdio'], addPatch: false }, withLogAndPatch())).mails[0].attachments.map(
        (a) => a.filename,
      ),
    ).toEqual(['false.stdio']);
  });

  test('a %-subject and a custom ejs template (Buildbot: no subject template → the %-subject)', async () => {
    const { mails } = await run(
      { subject: '%(builder)s: %(result)s in %(title)s', messageFormatter: { template: 'STATUS: <%= summary %>' } },
      finishedBuild('fail'),
    );
    expect(mails[0].subject).toBe('fail: failure in bbharness');
    expect(mails[0].text).toBe("STATUS: BUILD FAILED: failed 'false' (failure)\n\n");
  });

  test('without a subject template the default %-subject applies', async () => {
    const { mails } = await run({ messageFormatter: { template: 'x' } }, finishedBuild('fail'));
    expect(mails[0].subject).toBe('Buildbot failure in bbharness on fail');
  });

  test('an ejs subject sees the formatter variables; html templates give text/html', async () => {
    const { mails } = await run(
      {
        subject: '<%= buildername %> #<%= build.number %>: <%= summary %>',
        messageFormatter: { template_type: 'html' },
      },
      finishedBuild('warn'),
    );
    expect(mails[0].subject).toBe("warn #1: Build Had Warnings: warnings 'false' (failure)");
    expect(mails[0].header('content-type')).toBe('text/html; charset="utf-8"');
    expect(mails[0].text).toContain('<a href="http://127.0.0.1:8010/#builders/6/builds/1">warn</a>');
  });

  test('extraHeaders: constant values and templates rendered with the build', async () => {
    const { mails } = await run(
      {
        extraHeaders: {
          'Reply-To': 'builds@example.test',
          'X-Buildbot-Builder': '<%= buildername %>/<%= prop("workername") %>',
        },
      },
      finishedBuild('fail'),
    );
    expect(mails[0].header('reply-to')).toBe('builds@example.test');
    expect(mails[0].header('x-buildbot-builder')).toBe('fail/local-worker');
  });

  test('a module lookup maps users (may be async, null skips)', async () => {
    const { writeFileSync } = await import('node:fs');
    const dir = tempFolder();
    writeFileSync(
      `${dir}/lookup.mjs`,
      "export async function getAddress(user) { return user === 'nobody' ? null : `${user.toLowerCase()}@corp.example`; }\n",
    );
    const b = fixture('fail.finished') as Record<string, Record<string, unknown>>;
    b.properties.owners = [['Alice', 'nobody'], 'Build'];
    harness = await mailHarness(
      { ...smtpOptions(smtp, dir), smtpUser: 'bbmail', smtpPassword: 'pa$$word', lookup: './lookup.mjs#getAddress' },
      dir,
    );
    const before = smtp.received.length;
    await harness.emit(b);
    await harness.drain();
    expect(smtp.received.slice(before).map((r) => r.to)).toEqual([['alice@corp.example']]);
  });

  test('a Unicode master title and Unicode build data arrive intact: ASCII headers, an 8bit body', async () => {
    const dir = tempFolder();
    const b = fixture('fail.finished') as Record<string, Record<string, unknown>>;
    b.properties.reason = ['Ünïcödé reason ☃', 'Force Build Form'];
    harness = await createHarness({
      plugin: mailPlugin,
      configDir: dir,
      stateDir: `${dir}/state`,
      title: 'Tåtle',
      buildbotURL: 'http://127.0.0.1:8010/',
      options: {
        fromaddr: 'buildbot@bbharness.test',
        extraRecipients: ['dev@example.test'],
        ...smtpOptions(smtp, dir),
        smtpUser: 'bbmail',
        smtpPassword: 'pa$$word',
      },
    });
    const before = smtp.received.length;
    await harness.emit(b);
    await harness.drain();
    const [received] = smtp.received.slice(before);
    expect(/^[\x00-\x7f]*$/.test(received.raw.split('\r\n\r\n')[0])).toBe(true);
    const mail = parseMail(received.raw);
    expect(mail.header('content-transfer-encoding')).toBe('8bit');
    expect(mail.subject).toBe("☠ Buildbot (Tåtle): fail - failed 'false' (failure) ((unknown revision))");
    expect(mail.text).toContain('while building Tåtle.');
    expect(mail.text).toContain('Build Reason: Ünïcödé reason ☃');
  });

  test('the SMTP password never appears in logs or delivery outcomes', async () => {
    const { harness: h } = await run({}, finishedBuild('fail'));
    expect(h.logs.join('\n')).not.toContain('pa$$word');
    expect(JSON.stringify(h.deliveries)).not.toContain('pa$$word');
  });
});
