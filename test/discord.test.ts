/**
 * @bbreporters/discord through `bbreporters run` (the real CLI as a child process) against a
 * loopback server playing Discord's webhook API: it enforces the documented request shape and
 * limits (400 like Discord on a bad body), answers `?wait=true` with a message, edits only messages
 * it has, sends Discord's rate-limit headers and a 429 with a float `retry_after` when asked.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RecordingServer, type RecordedRequest, type Reply, type ReplyHandler } from '@bbreporters/core/testing';
import type {
  APIEmbed,
  RESTPatchAPIWebhookWithTokenMessageJSONBody,
  RESTPostAPIWebhookWithTokenJSONBody,
} from 'discord-api-types/v10';
import { afterEach, describe, expect, it } from 'vitest';
import { httpStatusPushDir, runCli, startService, tempDir, type RunningService } from './support/bbreporters-cli.js';

const TOKEN = 'Zq3-discord-webhook-token_8812';
const PATH = `/api/webhooks/4242/${TOKEN}`;

type Body = RESTPostAPIWebhookWithTokenJSONBody & RESTPatchAPIWebhookWithTokenMessageJSONBody;

const postKeys = new Set(['content', 'username', 'avatar_url', 'tts', 'embeds', 'allowed_mentions', 'components']);
const patchKeys = new Set(['content', 'embeds', 'allowed_mentions', 'components', 'attachments']);
const embedKeys = new Set([
  'title',
  'description',
  'url',
  'timestamp',
  'color',
  'footer',
  'image',
  'thumbnail',
  'author',
  'fields',
]);
const chars = (s: unknown) => (typeof s === 'string' ? Array.from(s).length : 0);

/** What Discord would answer 400 for (docs: Execute Webhook, Edit Webhook Message, Embed Limits). */
function bodyProblems(method: string, body: Body): string[] {
  const problems: string[] = [];
  for (const key of Object.keys(body))
    if (!(method === 'POST' ? postKeys : patchKeys).has(key)) problems.push(`${key}: not allowed on ${method}`);
  if (method === 'POST' && !body.content && !body.embeds?.length) problems.push('Cannot send an empty message');
  if (chars(body.content) > 2000) problems.push('content: Must be 2000 or fewer in length.');
  const embeds: APIEmbed[] = body.embeds ?? [];
  if (embeds.length > 10) problems.push('embeds: Must be 10 or fewer in length.');
  let total = 0;
  for (const e of embeds) {
    for (const key of Object.keys(e)) if (!embedKeys.has(key)) problems.push(`embed.${key}: not for webhooks`);
    if (chars(e.title) > 256) problems.push('embed.title: Must be 256 or fewer in length.');
    if (chars(e.description) > 4096) problems.push('embed.description: Must be 4096 or fewer in length.');
    if (chars(e.footer?.text) > 2048) problems.push('embed.footer.text: Must be 2048 or fewer in length.');
    if ((e.fields ?? []).length > 25) problems.push('embed.fields: Must be 25 or fewer in length.');
    for (const f of e.fields ?? []) {
      if (!chars(f.name) || chars(f.name) > 256) problems.push('embed.fields.name: 1 to 256 characters');
      if (!chars(f.value) || chars(f.value) > 1024) problems.push('embed.fields.value: 1 to 1024 characters');
    }
    if (e.color !== undefined && !(Number.isInteger(e.color) && e.color >= 0 && e.color <= 0xffffff))
      problems.push('embed.color: not an RGB integer');
    if (e.timestamp !== undefined && Number.isNaN(Date.parse(e.timestamp))) problems.push('embed.timestamp: not ISO');
    if (e.url !== undefined && !/^https?:\/\//.test(e.url)) problems.push('embed.url: Not a well formed URL.');
    total += chars(e.title) + chars(e.description) + chars(e.footer?.text) + chars(e.author?.name);
    total += (e.fields ?? []).reduce((n, f) => n + chars(f.name) + chars(f.value), 0);
  }
  if (total > 6000) problems.push('embeds: Embed size exceeds maximum size of 6000');
  return problems;
}

/** A Discord webhook: 200 + the message for `?wait=true`, PATCH edits only messages it created, rate-limit headers on every answer. */
function discord(options: { remaining?: () => number } = {}) {
  const messages = new Map<string, Body>();
  let next = 1_100_000_000_000_000_000n;
  const limited = (reply: Reply): Reply => ({
    ...reply,
    headers: {
      'x-ratelimit-limit': '5',
      'x-ratelimit-remaining': String(options.remaining?.() ?? 4),
      'x-ratelimit-reset-after': '0.4',
      'x-ratelimit-bucket': 'abcd1234',
      ...reply.headers,
    },
  });
  const invalid = (errors: string[]): Reply =>
    limited({ status: 400, body: { code: 50035, message: 'Invalid Form Body', errors } });
  return (request: RecordedRequest): Reply => {
    const url = new URL(request.url, 'http://discord');
    if (!url.pathname.startsWith(PATH))
      return limited({ status: 401, body: { message: 'Invalid Webhook Token', code: 50027 } });
    if (request.headers['content-type'] !== 'application/json') return invalid(['content-type']);
    const body = JSON.parse(request.body) as Body;
    const problems = bodyProblems(request.method, body);
    if (problems.length) return invalid(problems);
    const rest = url.pathname.slice(PATH.length);
    if (request.method === 'POST' && rest === '') {
      if (url.searchParams.get('wait') !== 'true') return limited({ status: 204 });
      const id = String(next++);
      messages.set(id, body);
      return limited({ status: 200, body: { id, channel_id: '77', webhook_id: '4242', ...body } });
    }
    const edit = /^\/messages\/(\d+)$/.exec(rest);
    if (request.method === 'PATCH' && edit) {
      if (!messages.has(edit[1])) return limited({ status: 404, body: { message: 'Unknown Message', code: 10008 } });
      messages.set(edit[1], { ...messages.get(edit[1]), ...body });
      return limited({ status: 200, body: { id: edit[1], channel_id: '77', ...messages.get(edit[1]) } });
    }
    return limited({ status: 405, body: { message: '405: Method Not Allowed', code: 0 } });
  };
}

const fixture = (name: string) => JSON.parse(readFileSync(join(httpStatusPushDir, `${name}.json`), 'utf8')) as Body;

let server: RecordingServer;
let service: RunningService | undefined;
let stateDir: string;

afterEach(async () => {
  await service?.stop();
  service = undefined;
  await server?.close();
});

async function start(
  options: Record<string, unknown> = {},
  handler: ReplyHandler = discord(),
): Promise<RunningService> {
  server = await RecordingServer.start(handler);
  const dir = tempDir();
  stateDir = join(dir, 'state');
  writeConfig(dir, options);
  service = await startService(join(dir, 'bbreporters.yaml'), { env: { DISCORD_WEBHOOK: `${server.url}${PATH}` } });
  return service;
}

function writeConfig(dir: string, options: Record<string, unknown>): void {
  const config = [
    'stateDir: state',
    'title: Example CI',
    'sources:',
    '  - { type: http, listen: "127.0.0.1:0" }',
    'reporters:',
    '  - plugin: "@bbreporters/discord"',
    '    delivery: { baseDelayMs: 10, maxDelayMs: 40, retries: 4 }',
    `    options: ${JSON.stringify({ webhook_url: '${DISCORD_WEBHOOK}', ...options })}`,
  ];
  writeFileSync(join(dir, 'bbreporters.yaml'), `${config.join('\n')}\n`);
}

async function post(event: unknown): Promise<void> {
  const answer = await fetch(service!.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(event),
  });
  expect(answer.status).toBe(200);
}

async function until(what: string, done: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!done()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(summary())}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Method, path (token masked) and status class of what the server received. */
const summary = () => server.requests.map((r) => `${r.method} ${r.url.replace(TOKEN, 'TOKEN')}`);
const bodyOf = (r: RecordedRequest) => JSON.parse(r.body) as Body;

describe('discord', () => {
  it('a failing build: posted with ?wait=true when it starts, that message edited with the failure embed when it finishes', async () => {
    await start({ username: 'Buildbot' });
    await post(fixture('fail.new'));
    await until('the started message', () => server.requests.length === 1);
    const refsFile = join(stateDir, 'discord', 'discord.refs.json');
    await until('the kept message id', () => {
      try {
        return Object.keys(JSON.parse(readFileSync(refsFile, 'utf8')) as object).length === 1;
      } catch {
        return false;
      }
    });
    await post(fixture('fail.finished'));
    await until('the edit', () => server.requests.length === 2);

    expect(summary()).toEqual([
      'POST /api/webhooks/4242/TOKEN?wait=true',
      'PATCH /api/webhooks/4242/TOKEN/messages/1100000000000000000',
    ]);
    const [started, finished] = server.requests.map(bodyOf);
    expect(started.username).toBe('Buildbot');
    expect(started.embeds![0]).toMatchObject({ title: '🔄 Build #1 of fail started', color: 0x9e9e9e });
    // Exactly what Discord receives for the finished failing build (docs/reporters/discord.md shows it).
    console.log(`discord: finished failing build, PATCH body:\n${JSON.stringify(finished, null, 2)}`);
    expect(finished).toEqual({
      embeds: [
        {
          title: '❌ Build #1 of fail failed',
          url: 'http://127.0.0.1:8010/#builders/5/builds/1',
          color: 0xd50200,
          description: "failed 'false' (failure)",
          fields: [
            { name: 'Builder', value: 'fail', inline: true },
            { name: 'Build', value: '#1', inline: true },
            { name: 'Status', value: 'failed', inline: true },
            { name: 'Failing steps', value: 'false' },
          ],
          footer: { text: 'Example CI' },
          timestamp: new Date(1795463388 * 1000).toISOString(),
        },
      ],
      allowed_mentions: { parse: [] },
    });
    // The edit is done: the id is forgotten; no secret in the logs, the state folder or the ledger.
    await until('the id forgotten', () => readFileSync(refsFile, 'utf8').trim() === '{}');
    await service!.stop();
    service = undefined;
    for (const file of readdirSync(stateDir, { recursive: true, withFileTypes: true }).filter((f) => f.isFile()))
      expect(readFileSync(join(file.parentPath, file.name)).includes(TOKEN), file.name).toBe(false);
  });

  it('event data is escaped for Markdown and mentions never ping; limits are kept (a 300-character builder name)', async () => {
    await start({ started: false });
    const event = fixture('fail.finished') as unknown as { builder: { name: string } };
    event.builder.name = `**boom** @everyone <@&1> [x](https://evil.example) ${'y'.repeat(300)}`;
    await post(event);
    await until('the message', () => server.requests.length === 1);
    expect(server.requests[0].url).toContain('?wait=true');
    const body = bodyOf(server.requests[0]);
    expect(body.allowed_mentions).toEqual({ parse: [] });
    const embed = body.embeds![0];
    expect(Array.from(embed.title!)).toHaveLength(256);
    expect(embed.title).toMatch(
      /^❌ Build #1 of \\\*\\\*boom\\\*\\\* \\@everyone \\<\\@&1\\> \\\[x\\\]\(https\\:\/\/evil/,
    );
    expect(embed.title!.endsWith('…')).toBe(true);
    expect(embed.fields![0].value).toContain('\\*\\*boom\\*\\* \\@everyone');
  });

  it('a 429 waits the float retry_after of its body, then the message and its edit arrive in order', async () => {
    let first = true;
    const handler = discord();
    await start({}, (request) => {
      if (first) {
        first = false;
        return {
          status: 429,
          headers: { 'retry-after': '3', 'x-ratelimit-scope': 'user', 'x-ratelimit-remaining': '0' },
          body: { message: 'You are being rate limited.', retry_after: 0.35, global: false },
        };
      }
      return handler(request);
    });
    await post(fixture('fail.new'));
    await post(fixture('fail.finished'));
    await until('the message and its edit', () => server.requests.filter((r) => r.method === 'PATCH').length === 1);
    expect(summary()).toEqual([
      'POST /api/webhooks/4242/TOKEN?wait=true',
      'POST /api/webhooks/4242/TOKEN?wait=true',
      'PATCH /api/webhooks/4242/TOKEN/messages/1100000000000000000',
    ]);
    const gap = server.requests[1].at - server.requests[0].at;
    // retry_after (0.35 s), not the Retry-After header's 3 s nor the 10 ms back-off.
    expect(gap).toBeGreaterThanOrEqual(340);
    expect(gap).toBeLessThan(2500);
    expect(service!.stderr()).not.toContain(TOKEN);
  });

  it('an empty bucket (X-RateLimit-Remaining 0) is left alone for X-RateLimit-Reset-After before the next request', async () => {
    await start({ editStarted: false }, discord({ remaining: () => 0 }));
    await post(fixture('pass.new'));
    await post(fixture('pass.finished'));
    await until('two messages', () => server.requests.length === 2);
    expect(summary()).toEqual(['POST /api/webhooks/4242/TOKEN?wait=true', 'POST /api/webhooks/4242/TOKEN?wait=true']);
    expect(server.requests[1].at - server.requests[0].at).toBeGreaterThanOrEqual(390);
    expect(bodyOf(server.requests[1]).embeds![0]).toMatchObject({
      title: '✅ Build #1 of pass completed successfully',
      color: 0x2eb886,
    });
  });

  it('a 401 (a revoked webhook) is final: one request, never hammered', async () => {
    server = await RecordingServer.start(() => ({
      status: 401,
      headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset-after': '0.1' },
      body: { message: 'Invalid Webhook Token', code: 50027 },
    }));
    const dir = tempDir();
    writeConfig(dir, { started: false });
    service = await startService(join(dir, 'bbreporters.yaml'), { env: { DISCORD_WEBHOOK: `${server.url}${PATH}` } });
    await post(fixture('fail.finished'));
    await until('the failure logged', () => service!.stderr().includes('"delivery failed"'));
    await new Promise((r) => setTimeout(r, 300));
    expect(server.requests).toHaveLength(1);
    expect(service.stderr()).toContain('answered 401');
    expect(service.stderr()).not.toContain(TOKEN);
  });

  it('messageFormatter: its text is the content (cut to 2000 characters); a deleted started message is posted anew', async () => {
    const handler = discord();
    await start(
      { messageFormatter: { template: '**<%= buildername %>**: <%= summary %>\n<%= "z".repeat(3000) %>' } },
      (r) => (r.method === 'PATCH' ? { status: 404, body: { message: 'Unknown Message', code: 10008 } } : handler(r)),
    );
    await post(fixture('fail.new'));
    await post(fixture('fail.finished'));
    await until('three requests', () => server.requests.length === 3);
    expect(summary()).toEqual([
      'POST /api/webhooks/4242/TOKEN?wait=true',
      'PATCH /api/webhooks/4242/TOKEN/messages/1100000000000000000',
      'POST /api/webhooks/4242/TOKEN?wait=true',
    ]);
    const last = bodyOf(server.requests[2]);
    expect(last.embeds).toBeUndefined();
    expect(last.content).toMatch(/^\*\*fail\*\*: /);
    expect(Array.from(last.content!)).toHaveLength(2000);
  });
});

describe('discord preview', () => {
  it('shows the message as Discord receives it; the webhook URL is nowhere', async () => {
    const dir = tempDir();
    writeConfig(dir, {});
    const result = await runCli(
      [
        'preview',
        '--config',
        join(dir, 'bbreporters.yaml'),
        '--reporter',
        'discord',
        '--event',
        join(httpStatusPushDir, 'fail.finished.json'),
      ],
      { env: { DISCORD_WEBHOOK: `https://discord.com${PATH}` } },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('delivery 1 of 1 to discord:4242');
    expect(result.stdout).toContain('"title": "❌ Build #1 of fail failed"');
    expect(result.stdout).toContain('"allowed_mentions"');
    expect(result.stdout + result.stderr).not.toContain(TOKEN);
  });
});
