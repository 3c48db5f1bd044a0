/**
 * @bbreporters/teams through `bbreporters run` (the real CLI as a child process, events posted to
 * its http source) against a loopback server playing a Teams Workflows webhook the way Microsoft
 * documents it: POST with the sig= signature, JSON with the "Post to a channel when a webhook
 * request is received" envelope, an Adaptive Card that Microsoft's `adaptivecards` parser accepts
 * at version ≤ 1.5, at most 28 KB (413 above), 429 when throttled, 202 Accepted otherwise.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RecordingServer, type RecordedRequest, type Reply } from '@bbreporters/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { adaptiveCardProblems } from './support/adaptive-card.js';
import { httpStatusPushDir, runCli, startService, tempDir, type RunningService } from './support/bbreporters-cli.js';

const SIG = 'teamsSig-5bq1v0XQ8z';
const WORKFLOW = '/workflows/0f3c9a1e/triggers/manual/paths/invoke';
const MAX_BYTES = 28_000;
const CARD = 'application/vnd.microsoft.card.adaptive';

interface Card {
  version: string;
  body: Array<{ type: string; text?: string; items?: Array<{ text: string; color: string }>; facts?: Fact[] }>;
  actions?: Array<{ type: string; url: string }>;
}
interface Fact {
  title: string;
  value: string;
}

/** What the Workflows trigger and Teams' card renderer refuse, as the status and text they answer. */
function teamsReply(request: RecordedRequest): Reply {
  const url = new URL(request.url, 'http://teams.invalid');
  if (request.method !== 'POST' || url.pathname !== WORKFLOW) return { status: 404 };
  if (url.searchParams.get('sig') !== SIG)
    return { status: 401, body: { error: { code: 'DirectApiAuthorizationRequired' } } };
  if (Buffer.byteLength(request.body) > MAX_BYTES) return { status: 413, body: 'Request Entity Too Large' };
  if (!request.headers['content-type']?.startsWith('application/json')) return { status: 400, body: 'not JSON' };
  const message = JSON.parse(request.body) as { type?: unknown; attachments?: Array<Record<string, unknown>> };
  const problems: string[] = [];
  if (message.type !== 'message') problems.push('type must be "message"');
  if (!Array.isArray(message.attachments) || message.attachments.length === 0) problems.push('no attachments');
  for (const a of message.attachments ?? []) {
    if (a.contentType !== CARD) problems.push(`contentType ${String(a.contentType)}`);
    problems.push(...adaptiveCardProblems(a.content, '1.5'));
  }
  return problems.length ? { status: 400, body: { error: problems } } : { status: 202 };
}

let server: RecordingServer | undefined;
let service: RunningService | undefined;
afterEach(async () => {
  await service?.stop();
  await server?.close();
  service = server = undefined;
});

/** `bbreporters run` with one teams reporter (`options` added) posting to the test server. */
async function start(options: Record<string, unknown> = {}): Promise<{ dir: string; config: string }> {
  server ??= await RecordingServer.start(teamsReply);
  const dir = tempDir();
  const config = join(dir, 'bbreporters.yaml');
  const url = `${server.url}${WORKFLOW}?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=${SIG}`;
  writeFileSync(
    config,
    `stateDir: state\nsources:\n  - { type: http, listen: "127.0.0.1:0" }\nreporters:\n  - plugin: '@bbreporters/teams'\n    name: channel\n` +
      `    options: ${JSON.stringify({ url, ...options })}\n    delivery: { baseDelayMs: 20, maxDelayMs: 40 }\n`,
  );
  service = await startService(config);
  return { dir, config };
}

const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(httpStatusPushDir, `${name}.json`), 'utf8')) as Record<string, unknown>;

async function post(...events: Array<string | Record<string, unknown>>): Promise<void> {
  for (const event of events) {
    const answer = await fetch(service!.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(typeof event === 'string' ? fixture(event) : event),
    });
    expect(answer.status).toBe(200);
  }
}

async function requests(count: number): Promise<RecordedRequest[]> {
  for (let i = 0; i < 200 && server!.requests.length < count; i++) await new Promise((r) => setTimeout(r, 25));
  expect(server!.requests.length).toBe(count);
  return server!.requests;
}

const cardOf = (request: RecordedRequest): Card =>
  (JSON.parse(request.body) as { attachments: Array<{ content: Card }> }).attachments[0].content;
const titleOf = (card: Card): string => card.body[0].items![0].text;
const factsOf = (card: Card): Fact[] => card.body.find((b) => b.type === 'FactSet')!.facts!;

/** Every file under `dir` (the state folder: ledger, outbox), as text. */
function filesUnder(dir: string): string {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => join(dir, f))
    .filter((f) => statSync(f).isFile())
    .map((f) => readFileSync(f, 'latin1'))
    .join('\n');
}

describe('teams', () => {
  it('a failing build: a started card, then a red finished card with the failing step; the sig never leaves the request', async () => {
    const { dir } = await start();
    await post('fail.new', 'fail.finished');
    const [started, finished] = await requests(2);
    expect([started.headers['content-type'], finished.method, finished.url]).toEqual([
      'application/json',
      'POST',
      `${WORKFLOW}?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=${SIG}`,
    ]);
    expect(teamsReply(finished).status).toBe(202);
    expect(titleOf(cardOf(started))).toBe('🔄 Build #1 of fail started');
    const card = cardOf(finished);
    expect(card.version).toBe('1.4');
    expect(card.body[0].items![0]).toMatchObject({ text: '❌ Build #1 of fail failed', color: 'Attention' });
    expect(factsOf(card)).toContainEqual({ title: 'Failing steps', value: 'false' });
    expect(card.actions).toEqual([
      { type: 'Action.OpenUrl', title: 'View build', url: 'http://127.0.0.1:8010/#builders/5/builds/1' },
    ]);
    writeFileSync(join(dir, 'failing-card.json'), finished.body);
    await service!.stop();
    const everything = `${service!.stdout()}${service!.stderr()}${filesUnder(join(dir, 'state'))}`;
    expect(everything).toContain('"sent"');
    expect(everything).not.toContain(SIG);
    expect(everything).not.toContain('0f3c9a1e');
  });

  it('honours 429: exponential back-off without Retry-After, the asked wait with it; 400 is final', async () => {
    server = await RecordingServer.start(teamsReply);
    server.queue({ status: 429 }, { status: 429, headers: { 'retry-after': '1' } });
    await start();
    await post('pass.finished');
    const list = await requests(3);
    expect(list[2].at - list[1].at).toBeGreaterThanOrEqual(1000);
    server.queue({ status: 400, body: { error: 'bad card' } });
    await post('warn.finished');
    await requests(4);
    await new Promise((r) => setTimeout(r, 300));
    expect(server.requests).toHaveLength(4);
    await service!.stop();
    expect(service!.stderr()).toMatch(/answered 400/);
  });

  it('cards to one channel arrive in order even when one is retried', async () => {
    server = await RecordingServer.start(teamsReply);
    server.queue({ status: 503 });
    await start();
    await post('pass.new', 'pass.finished', 'fail.new', 'fail.finished');
    const list = await requests(5);
    // The first attempt was answered 503 and sent again before anything else.
    expect(list.slice(1).map((r) => titleOf(cardOf(r)))).toEqual([
      '🔄 Build #1 of pass started',
      '✅ Build #1 of pass completed successfully',
      '🔄 Build #1 of fail started',
      '❌ Build #1 of fail failed',
    ]);
  });

  it('a hostile builder name stays literal text: no bold, link, mention or date function', async () => {
    await start({ started: false });
    const hostile = '**pwned** [click](https://evil.example) <at>everyone</at> {{DATE(2017-02-14T06:00:00Z)}} _x_';
    const build = fixture('fail.finished');
    (build.builder as { name: string }).name = hostile;
    await post('fail.new', build);
    const [request] = await requests(1);
    const builder = factsOf(cardOf(request)).find((f) => f.title === 'Builder')!.value;
    expect(builder).toBe(
      '\\*\\*pwned\\*\\* \\[click\\](https://evil.example) \\<at\\>everyone\\</at\\> \\{\\{DATE(2017-02-14T06:00:00Z)\\}\\} \\_x\\_',
    );
    expect(titleOf(cardOf(request))).toContain('\\*\\*pwned');
  });

  it('a formatter text larger than Teams takes is cut to fit 28 KB; mode filters like MailNotifier', async () => {
    await start({ mode: ['failing'], cardVersion: '1.5', messageFormatter: { template: "<%= 'é'.repeat(50000) %>" } });
    await post('pass.finished', 'fail.finished');
    const [request] = await requests(1);
    expect(Buffer.byteLength(request.body)).toBeLessThanOrEqual(MAX_BYTES);
    expect(Buffer.byteLength(request.body)).toBeGreaterThan(MAX_BYTES - 200);
    const card = cardOf(request);
    expect(card.version).toBe('1.5');
    expect(card.body[1].text).toMatch(/^é+…$/);
    expect(teamsReply(request).status).toBe(202);
  });

  it('preview prints the message as Teams receives it, the webhook URL masked', async () => {
    const { config } = await start();
    const result = await runCli([
      'preview',
      '--config',
      config,
      '--reporter',
      'channel',
      '--event',
      join(httpStatusPushDir, 'fail.finished.json'),
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('"url": "********"');
    expect(result.stdout).toContain(`"contentType": "${CARD}"`);
    expect(result.stdout).toContain('❌ Build #1 of fail failed');
    expect(result.stdout).not.toContain(SIG);
  });
});
