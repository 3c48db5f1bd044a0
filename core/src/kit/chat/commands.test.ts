import { describe, expect, it } from 'vitest';
import type { MasterControl } from '../../buildbot-api/master-control.js';
import { chatCommands, runCommand, type BotControl, type CommandContext } from './commands.js';

function context(master: MasterControl | undefined, channel?: string) {
  const replies: string[] = [];
  const errors: unknown[] = [];
  const bot: BotControl = {
    product: 'bbreporters-test-0.0.0',
    allowForce: true,
    allowShutdown: false,
    resultText: (results) => String(results),
    notifyEvents: () => [],
    setNotifyEvents: () => undefined,
    watch: () => undefined,
  };
  const ctx: CommandContext = {
    user: { name: 'alice' },
    authorized: true,
    ...(channel ? { channel } : {}),
    scope: channel ?? 'alice',
    ...(master ? { master } : {}),
    bot,
    commands: chatCommands,
    reply: (t) => replies.push(t),
  };
  return { ctx, replies, errors, run: (line: string) => runCommand(line, ctx, (e) => errors.push(e)) };
}

describe('runCommand', () => {
  it('answers "Something bad happened" when the master fails, and hands the error to the log', async () => {
    const { run, replies, errors } = context({ builders: async () => Promise.reject(new Error('REST down')) });
    await run('status all');
    expect(replies).toEqual(['Something bad happened (see logs)']);
    expect(String(errors[0])).toContain('REST down');
  });

  it("answers a failed force with the master's reason", async () => {
    const { run, replies } = context({ forceBuild: async () => Promise.reject(new Error('builder is paused')) }, '#ci');
    await run('force build linux now');
    expect(replies).toEqual(["I can't: builder is paused"]);
  });

  it('names commands case-insensitively and ignores empty lines', async () => {
    const { run, replies } = context(undefined);
    await run('SOURCE');
    await run('   ');
    expect(replies).toEqual(['My source can be found at https://github.com/buildbot/buildbot']);
  });

  it('does not treat object prototype names as commands', async () => {
    const { run, replies } = context(undefined);
    await run('constructor');
    await run('help toString');
    expect(replies).toEqual(["I don't get this 'constructor'. Try 'help commands'.", "no such command 'toString'"]);
  });

  it('records who forced in a private chat without a channel', async () => {
    const requests: unknown[] = [];
    const { run, replies } = context({ forceBuild: async (r) => (requests.push(r), { buildsetId: 7 }) });
    await run('force build "my builder" because "it broke"');
    expect(replies).toEqual(['Force build successfully requested (buildset 7).']);
    expect(requests).toEqual([{ builder: 'my builder', reason: 'forced: by alice: because it broke', owner: 'alice' }]);
  });
});
