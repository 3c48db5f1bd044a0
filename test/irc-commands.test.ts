/**
 * @bbreporters/irc against a real ngircd: a person in the channel (a raw TCP client) issues
 * every command and reads the bot's replies. State and control come from a small in-memory
 * MasterControl (the real master's REST control is covered by the Buildbot end-to-end tests).
 */
import { fileURLToPath } from 'node:url';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  Build,
  BuilderStatus,
  ForceBuildRequest,
  MasterControl,
  ShutdownMode,
  StopBuildRequest,
} from '@bbreporters/core';
import { createHarness, fixture, type Harness } from '@bbreporters/core/testing';
import { IrcTestClient, Ngircd } from './support/ngircd.js';

const pluginDir = fileURLToPath(new URL('../plugins/irc/', import.meta.url));
const stateDir = () => mkdtempSync(join(tmpdir(), 'bbr-irc-state-'));

function build(
  builderid: number,
  number: number,
  results: number | null,
  state_string: string,
  agoSeconds: number,
): Build {
  const now = Math.floor(Date.now() / 1000);
  return {
    buildid: builderid * 100 + number,
    number,
    builderid,
    buildrequestid: 1,
    workerid: 1,
    masterid: 1,
    started_at: now - agoSeconds - 5,
    complete: results !== null,
    complete_at: results === null ? null : now - agoSeconds,
    results,
    state_string,
  };
}

/** An in-memory master: builder `pass` runs build #7, `fail` is offline and last failed. */
function fakeMaster() {
  const running = build(1, 7, null, 'compiling', 0);
  const calls = { force: [] as ForceBuildRequest[], stop: [] as StopBuildRequest[], shutdown: [] as ShutdownMode[] };
  const builders = [
    { builderid: 1, name: 'pass', tags: ['quick'] },
    { builderid: 2, name: 'fail', tags: [] },
  ];
  const master: MasterControl = {
    builders: async () => builders,
    builderStatus: async (name): Promise<BuilderStatus | undefined> => {
      const builder = builders.find((b) => b.name === name);
      if (!builder) return undefined;
      return name === 'pass'
        ? { builder, state: 'building', running: [running], pending: 0 }
        : { builder, state: 'offline', running: [], pending: 0 };
    },
    lastBuild: async (name) => (name === 'fail' ? build(2, 3, 2, 'failed compile', 42) : undefined),
    forceBuild: async (request) => {
      calls.force.push(request);
      return { buildsetId: 42 };
    },
    stopBuild: async (request) => {
      calls.stop.push(request);
      return { stopped: request.builder === 'pass' ? 1 : 0 };
    },
    shutdown: async (mode) => {
      calls.shutdown.push(mode);
      return mode === 'check' ? 'Status: buildbot is running' : `shutdown ${mode} requested`;
    },
  };
  return { master, calls, running };
}

describe('IRC commands against a real ngircd', () => {
  let server: Ngircd;
  let harness: Harness;
  let alice: IrcTestClient;
  let mallory: IrcTestClient;
  const { master, calls, running } = fakeMaster();
  const ask = (text: string, count = 1) => alice.ask('#ci', `bb: ${text}`, 'bb', count);

  beforeAll(async () => {
    server = await Ngircd.start();
    alice = await IrcTestClient.connect(server.port, 'alice');
    mallory = await IrcTestClient.connect(server.port, 'mallory');
    await alice.join('#ci');
    await mallory.join('#ci');
    harness = await createHarness({
      plugin: pluginDir,
      stateDir: stateDir(),
      master,
      options: {
        host: '127.0.0.1',
        port: server.port,
        nick: 'bb',
        channels: ['#ci'],
        notify_events: ['started'],
        allowForce: true,
        allowShutdown: true,
        authz: ['alice', '*!*@trusted.invalid'],
        lineRate: 0.3,
        lostDelay: 1,
        failedDelay: 1,
      },
    });
    await alice.waitFor((l) => l.command === 'JOIN' && l.prefix.startsWith('bb!') && l.params[0] === '#ci');
  });

  afterAll(async () => {
    alice?.close();
    mallory?.close();
    await harness?.close();
    await server?.stop();
  });

  it('list builders names every builder and marks the offline ones', async () => {
    expect(await ask('list builders')).toEqual(['Configured builders: pass fail [offline]']);
    expect(await ask('list')).toEqual(["try 'list builders'"]);
  });

  it('status tells what a builder does now, for one builder or all', async () => {
    expect(await ask('status pass')).toEqual(['pass: running: #7 (compiling)']);
    expect(await ask('status all', 2)).toEqual(['pass: running: #7 (compiling)', 'fail: offline']);
    expect(await ask('status nope')).toEqual(["no such builder 'nope'"]);
    expect(await ask('status "pass')).toEqual(['No closing quotation']);
  });

  it('last gives the result of the last build, coloured, or says there was none', async () => {
    // The build finished 42 seconds before the question; a slow machine may add a second.
    const failed = /^last build \[fail\]: last build 4[23] seconds ago: \x0304Failure\x0f \[failed compile\]$/;
    expect(await ask('last fail')).toEqual([expect.stringMatching(failed)]);
    expect(await ask('last', 2)).toEqual([
      'last build [pass]: (no builds run since last restart)',
      expect.stringMatching(failed),
    ]);
  });

  it('watch announces the running build when it finishes, although finished is not notified here', async () => {
    expect(await ask('watch fail')).toEqual(['there are no builds currently running']);
    expect(await ask('watch pass')).toEqual(['watching build pass #7 until it finishes..']);
    const since = alice.lines.length;
    const finished = fixture('pass.finished');
    Object.assign(finished, { buildid: running.buildid, number: 7 });
    await harness.emit(finished);
    const line = await alice.waitFor(
      (l) => l.command === 'PRIVMSG' && l.prefix.startsWith('bb!') && /is complete/.test(l.params[1] ?? ''),
      15_000,
      since,
    );
    expect(line.params).toEqual([
      '#ci',
      expect.stringMatching(
        /^Build pass #7 is complete: \x0303Success\x0f \[build successful\] - http:\/\/127\.0\.0\.1:8010\/#builders\/\d+\/builds\/\d+$/,
      ),
    ]);
  });

  it('notify on|off|list changes the events of the channel', async () => {
    expect(await ask('notify list')).toEqual(['The following events are being notified: started.']);
    expect(await ask('notify on failure successToFailure')).toEqual([
      'The following events are being notified: failure, started, successToFailure.',
    ]);
    expect(await ask('notify off started')).toEqual([
      'The following events are being notified: failure, successToFailure.',
    ]);
    expect(await ask('notify off')).toEqual(['No events are being notified.']);
    expect(await ask('notify on')).toEqual(['The following events are being notified: finished, started.']);
    expect(await ask('notify on bogus')).toEqual(["try 'notify on|off <EVENT>': 'bogus' is not an event"]);
    expect(await ask('notify')).toEqual(["try 'notify on|off|list [<EVENT>]'"]);
    expect(await ask('notify off finished')).toEqual(['The following events are being notified: started.']);
  });

  it('help, help COMMAND, help commands, commands, source and version answer', async () => {
    expect(await ask('help')).toEqual([
      "Get help on what? (try 'help <command>', or 'help commands' for a command list)",
    ]);
    const list =
      'buildbot commands: commands, force, hello, help, join, last, leave, list, notify, shutdown, source, status, stop, version, watch';
    expect(await ask('help commands')).toEqual([list]);
    expect(await ask('commands')).toEqual([list]);
    expect(await ask('help watch')).toEqual([
      'Usage: watch <builder> - announce the result of the builds running now when they finish',
    ]);
    expect(await ask('help nope')).toEqual(["no such command 'nope'"]);
    expect(await ask('source')).toEqual(['My source can be found at https://github.com/buildbot/buildbot']);
    expect(await ask('version')).toEqual(['bbreporters-irc-0.1.0 at your service']);
  });

  it('force build passes codebase, branch, revision, properties and who asked to the master', async () => {
    expect(
      await ask('force build --codebase=app --branch main --revision=abc123 --props=a=1,b=x.y pass fix the thing'),
    ).toEqual(['Force build successfully requested (buildset 42).']);
    expect(calls.force.at(-1)).toEqual({
      builder: 'pass',
      codebase: 'app',
      branch: 'main',
      revision: 'abc123',
      properties: { a: '1', b: 'x.y' },
      reason: 'forced: by alice on #ci: fix the thing',
      owner: 'alice on #ci',
    });
    expect(await ask('force build')).toEqual([expect.stringMatching(/^no builder specified; try 'force build/)]);
    expect(await ask('force now pass')).toEqual([expect.stringMatching(/^try 'force build/)]);
    expect(await ask("force build --branch='a b' pass x")).toEqual(["sorry, bad branch 'a b'"]);
    expect(await ask('force build --props=x pass y')).toEqual(["sorry, bad property name='x', value=''"]);
    expect(await ask('force build nope y')).toEqual(["no such builder 'nope'"]);
    expect(calls.force).toHaveLength(1);
  });

  it('stop build stops the running builds of a builder with the reason', async () => {
    expect(await ask('stop build pass wrong branch')).toEqual(['build 7 interrupted']);
    expect(calls.stop.at(-1)).toEqual({ builder: 'pass', reason: 'stopped: by alice on #ci: wrong branch' });
    expect(await ask('stop build fail x')).toEqual(['sorry, no build is currently running']);
    expect(await ask('stop build pass')).toEqual(["try 'stop build <BUILDER> <REASON>'"]);
  });

  it('shutdown check|start|stop|now goes to the master', async () => {
    expect(await ask('shutdown check')).toEqual(['Status: buildbot is running']);
    expect(await ask('shutdown start')).toEqual(['shutdown start requested']);
    expect(await ask('shutdown later')).toEqual(["try 'shutdown check|start|stop|now'"]);
    expect(calls.shutdown).toEqual(['check', 'start']);
  });

  it('join and leave move the bot between channels', async () => {
    await alice.join('#other');
    const since = alice.lines.length;
    expect(await ask('join #other')).toEqual(['Joining #other']);
    await alice.waitFor(
      (l) => l.command === 'JOIN' && l.prefix.startsWith('bb!') && l.params[0] === '#other',
      15_000,
      since,
    );
    expect(await ask('leave #other')).toEqual(['Leaving #other']);
    const part = await alice.waitFor((l) => l.command === 'PART' && l.prefix.startsWith('bb!'), 15_000, since);
    expect(part.params).toEqual(['#other', 'Buildbot has been told to leave #other by alice on #ci']);
  });

  it('refuses force, stop, shutdown, join and leave to users outside authz, and tells them', async () => {
    const askAsMallory = (text: string) => mallory.ask('#ci', `bb: ${text}`, 'bb');
    const forced = calls.force.length;
    expect(await askAsMallory('force build pass please')).toEqual([
      'Sorry, mallory: you are not authorized to force builds.',
    ]);
    expect(await askAsMallory('stop build pass please')).toEqual([
      'Sorry, mallory: you are not authorized to stop builds.',
    ]);
    expect(await askAsMallory('shutdown now')).toEqual([
      'Sorry, mallory: you are not authorized to shut the master down.',
    ]);
    expect(await askAsMallory('join #evil')).toEqual([
      'Sorry, mallory: you are not authorized to make me join channels.',
    ]);
    expect(calls.force).toHaveLength(forced);
    expect(calls.shutdown).not.toContain('now');
    // Harmless commands stay open to everyone.
    expect(await askAsMallory('status fail')).toEqual(['fail: offline']);
  });

  it('answers private messages privately, and notify there is per user', async () => {
    expect(await alice.ask('bb', 'status fail', 'bb', 1, 'alice')).toEqual(['fail: offline']);
    expect(await alice.ask('bb', 'notify on failure', 'bb', 1, 'alice')).toEqual([
      'The following events are being notified: failure.',
    ]);
    const since = alice.lines.length;
    await harness.emit(fixture('fail.finished'));
    const line = await alice.waitFor(
      (l) => l.command === 'PRIVMSG' && l.prefix.startsWith('bb!') && l.params[0] === 'alice',
      15_000,
      since,
    );
    expect(line.params[1]).toMatch(/^Build fail #1 is complete: \x0304Failure\x0f \[failed 'false' \(failure\)\]/);
    expect(await alice.ask('bb', 'notify off', 'bb', 1, 'alice')).toEqual(['No events are being notified.']);
  });

  it('ignores chatter not addressed to it and answers unknown commands briefly', async () => {
    const since = alice.lines.length;
    alice.send('PRIVMSG #ci :status all, anyone?');
    alice.send('PRIVMSG #ci :bbx: status all');
    expect(await ask('frobnicate now')).toEqual(["I don't get this 'frobnicate'. Try 'help commands'."]);
    expect(alice.messages('bb', '#ci', since)).toHaveLength(1);
    expect(await alice.ask('#ci', 'bb, what!', 'bb')).toEqual(['What you say!']);
    expect(await ask('hello')).toEqual(['yes?']);
  });
});

describe('IRC commands with a master offering nothing, or only the build history', () => {
  let server: Ngircd;
  let bare: Harness;
  let fromHistory: Harness;
  let alice: IrcTestClient;
  const options = (nick: string) => ({
    host: '127.0.0.1',
    port: server.port,
    nick,
    channels: ['#ci'],
    lineRate: 0.3,
    authz: ['alice'],
  });

  beforeAll(async () => {
    server = await Ngircd.start();
    alice = await IrcTestClient.connect(server.port, 'alice');
    await alice.join('#ci');
    // A MasterControl without methods: every command that needs the master is "not available".
    bare = await createHarness({ plugin: pluginDir, stateDir: stateDir(), master: {}, options: options('barebot') });
    // No master at all: core answers the read-only questions from its build history.
    fromHistory = await createHarness({ plugin: pluginDir, stateDir: stateDir(), options: options('historybot') });
    await alice.waitFor((l) => l.command === 'JOIN' && l.prefix.startsWith('barebot!'));
    await alice.waitFor((l) => l.command === 'JOIN' && l.prefix.startsWith('historybot!'));
  });

  afterAll(async () => {
    alice?.close();
    await bare?.close();
    await fromHistory?.close();
    await server?.stop();
  });

  it('answers "not available" for what the master does not offer, and "not enabled" for disabled control', async () => {
    const ask = (text: string) => alice.ask('#ci', `barebot: ${text}`, 'barebot');
    expect(await ask('status all')).toEqual([
      "Sorry, 'status' is not available: the master connection offers no builders.",
    ]);
    expect(await ask('last pass')).toEqual([
      "Sorry, 'last' is not available: the master connection offers no lastBuild.",
    ]);
    expect(await ask('watch pass')).toEqual([
      "Sorry, 'watch' is not available: the master connection offers no builderStatus.",
    ]);
    expect(await ask('list builders')).toEqual([
      "Sorry, 'list builders' is not available: the master connection offers no builders.",
    ]);
    expect(await ask('force build pass x')).toEqual(['force control is not enabled']);
    expect(await ask('stop build pass x')).toEqual(['stop control is not enabled']);
    expect(await ask('shutdown check')).toEqual(['shutdown control is not enabled']);
  });

  it('answers list, status, last and watch from the build history when no source controls the master', async () => {
    const ask = (text: string, count = 1) => alice.ask('#ci', `historybot: ${text}`, 'historybot', count);
    expect(await ask('status all')).toEqual(['no builders known yet']);
    await fromHistory.emit(fixture('pass.new'));
    await fromHistory.emit(fixture('fail.new'));
    await fromHistory.emit(fixture('fail.finished'));
    expect(await ask('list builders')).toEqual(['Configured builders: pass fail']);
    expect(await ask('status all', 2)).toEqual([
      'pass: running: #1 (starting)',
      expect.stringMatching(/^fail: idle, last build .* ago: \x0304Failure\x0f \[failed 'false' \(failure\)\]$/),
    ]);
    expect(await ask('last fail')).toEqual([
      expect.stringMatching(
        /^last build \[fail\]: last build \d+h\d\dm\d\ds ago: \x0304Failure\x0f \[failed 'false' \(failure\)\]$/,
      ),
    ]);
    expect(await ask('watch pass')).toEqual(['watching build pass #1 until it finishes..']);
    const since = alice.lines.length;
    await fromHistory.emit(fixture('pass.finished'));
    const line = await alice.waitFor(
      (l) => l.prefix.startsWith('historybot!') && /is complete/.test(l.params[1] ?? ''),
      15_000,
      since,
    );
    expect(line.params[1]).toBe(
      'Build pass #1 is complete: \x0303Success\x0f [build successful] - http://127.0.0.1:8010/#builders/1/builds/1',
    );
    expect(await ask('last pass')).toEqual([
      expect.stringMatching(/^last build \[pass\]: last build .* ago: \x0303Success\x0f \[build successful\]$/),
    ]);
  });
});
