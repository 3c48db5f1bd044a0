/**
 * docs/reporters/irc.md is true: its YAML example is a valid config for the installed IRC plugin
 * (core's config loader: schema, manifest, options, secrets), and the options schema rejects what
 * Buildbot rejected, saying where.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { checkConfig } from '../core/src/config/load.js';
import { prepareReporters } from '../core/src/loader/prepare.js';
import { isBbrError } from '../core/src/diagnostics/errors.js';

const page = fileURLToPath(new URL('../docs/reporters/irc.md', import.meta.url));
const docsDir = fileURLToPath(new URL('../docs/reporters/', import.meta.url));
const pluginDir = fileURLToPath(new URL('../plugins/irc/', import.meta.url));

function yamlExamples(): string[] {
  return [...readFileSync(page, 'utf8').matchAll(/^```yaml\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
}

/** The message of the error `fn` throws, with every detail. */
function problems(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (isBbrError(error)) return error.describe();
    throw error;
  }
  throw new Error('expected an error');
}

const base = { host: 'irc.example.org', nick: 'bb', channels: ['#ci'] };
const prepare = (options: Record<string, unknown>) => prepareReporters([{ plugin: pluginDir, options }], docsDir);

describe('docs/reporters/irc.md', () => {
  it('has one YAML example, a valid config whose irc options carry every secret', () => {
    const examples = yamlExamples();
    expect(examples).toHaveLength(1);
    const loaded = checkConfig(parse(examples[0]!), {
      configDir: docsDir,
      env: { NICKSERV_PASSWORD: 'nick-secret', CHANNEL_KEY: 'key-secret' },
    });
    expect(loaded.prepared.map((r) => r.name)).toEqual(['irc']);
    const options = loaded.prepared[0]!.options;
    expect(options).toMatchObject({
      host: 'irc.example.org',
      port: 6697,
      useSSL: true,
      allowForce: true,
      lineRate: 1,
      useColors: false,
    });
    // Defaults filled from the schema.
    expect(options).toMatchObject({
      allowShutdown: false,
      noticeOnChannel: false,
      showBlameList: false,
      useRevisions: false,
    });
    expect([...loaded.secrets]).toEqual(expect.arrayContaining(['nick-secret', 'key-secret']));
  });

  it('every option the page documents is in the schema, and every Buildbot IRC argument is an option', () => {
    const schema = JSON.parse(readFileSync(new URL('options.schema.json', `file://${pluginDir}schema/`), 'utf8')) as {
      properties: Record<string, unknown>;
    };
    const seedArguments = [
      'host',
      'nick',
      'channels',
      'pm_to_nicks',
      'port',
      'allowForce',
      'tags',
      'password',
      'notify_events',
      'showBlameList',
      'useRevisions',
      'useSSL',
      'lostDelay',
      'failedDelay',
      'useColors',
      'allowShutdown',
      'noticeOnChannel',
    ];
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(seedArguments));
  });
});

describe('IRC options', () => {
  it('accept the list and the dictionary form of notify_events', () => {
    expect(prepare({ ...base, notify_events: ['started', 'successToFailure'] })[0]!.options.notify_events).toEqual([
      'started',
      'successToFailure',
    ]);
    expect(prepare({ ...base, notify_events: { exception: 0 } })[0]!.options.notify_events).toEqual({ exception: 0 });
  });

  it('reject a bad event name, a non-boolean allowForce and unknown arguments, naming each', () => {
    const text = problems(() =>
      prepare({ ...base, notify_events: ['successToBroken'], allowForce: 'yes', allowshutdown: true }),
    );
    expect(text).toContain('reporters[0].options.notify_events');
    expect(text).toContain('reporters[0].options.allowForce');
    expect(text).toContain('allowshutdown');
  });

  it('reject a missing host, a nick IRC would refuse and a channel name with a space', () => {
    const text = problems(() => prepare({ nick: 'bad nick', channels: ['#a b'] }));
    expect(text).toMatch(/host/);
    expect(text).toContain('reporters[0].options.nick');
    expect(text).toContain('reporters[0].options.channels[0]');
  });

  it('collect the NickServ password, server password and channel keys as secrets', () => {
    const [reporter] = prepare({
      ...base,
      password: 'p1',
      serverPassword: 'p2',
      channels: [{ channel: '#k', password: 'p3' }],
    });
    expect([...reporter!.secrets].sort()).toEqual(['p1', 'p2', 'p3']);
  });
});
