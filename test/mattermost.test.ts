/**
 * @bbreporters/mattermost end to end: `bbreporters run` (the real CLI) sends captured Buildbot 3.7
 * builds to a loopback Mattermost that enforces the documented webhook and REST v4 request shapes,
 * message limits, auth and rate limits (test/support/mattermost-server.ts); attachments are checked
 * with @mattermost/types' own validator.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  capturedBuild,
  previewChat,
  startChat,
  waitFor,
  type BuildBody,
  type ChatService,
} from './support/chat-service.js';
import { CHANNEL, FakeMattermost, HOOK_PATH, MATTERMOST_TOKEN } from './support/mattermost-server.js';

/** A builder name that tries Markdown's tricks: a channel-wide mention, a link, bold, HTML. */
const HOSTILE = '@channel [click](http://evil.example) **bold** <b>x</b> @all';
const failing = (edit: (b: BuildBody) => void = () => {}) => [
  capturedBuild('change-fail.new', edit),
  capturedBuild('change-fail.finished', edit),
];

let mattermost: FakeMattermost | undefined;
let service: ChatService | undefined;
afterEach(async () => {
  await service?.stop();
  await mattermost?.close();
  service = mattermost = undefined;
});

interface Attachment {
  color: string;
  title: string;
  title_link?: string;
  fields: Array<{ title: string; value: string }>;
}
const attachmentOf = (props: Record<string, unknown> | undefined) => (props?.attachments as Attachment[])[0];

describe('mattermost with a bot token (REST API v4)', () => {
  const reporter = (options: Record<string, unknown> = {}) => ({
    plugin: 'mattermost',
    name: 'mattermost',
    options: { url: mattermost!.server.url, token: MATTERMOST_TOKEN, channel: CHANNEL, mode: 'all', ...options },
  });

  it('creates the start, edits it to the failure, replies in its thread; waits out a 429; escapes the builder', async () => {
    mattermost = await FakeMattermost.start();
    mattermost.rateLimits = 1;
    service = await startChat(reporter());
    const [started, finished] = failing((b) => (b.builder.name = HOSTILE));
    await service.post(started);
    await waitFor(() => mattermost!.channel.length === 1, 'the started post');
    await service.post(finished);
    await waitFor(() => mattermost!.channel.length === 2, 'the reply in the thread');

    const [first, reply] = mattermost.channel;
    const calls = mattermost.server.requests.map((r) => `${r.method} ${r.url}`);
    expect(calls).toEqual([
      'POST /api/v4/posts',
      'POST /api/v4/posts',
      `PUT /api/v4/posts/${first.id}`,
      'POST /api/v4/posts',
    ]);
    const [limited, retried] = mattermost.server.requests;
    expect(retried.at - limited.at).toBeGreaterThanOrEqual(950);
    expect(mattermost.problems).toEqual([]);

    expect(first.edits).toBe(1);
    expect(reply.root_id).toBe(first.id);
    const attachment = attachmentOf(first.props);
    expect(attachment.color).toBe('#d50200');
    // In Markdown the hostile name is text: mentions defused, no link, no bold, no HTML.
    const builder = attachment.fields.find((f) => f.title === 'Builder')!.value;
    expect(builder).toBe(
      '@\u200bchannel \\[click\\]\\(http://evil.example\\) \\*\\*bold\\*\\* \\<b\\>x\\</b\\> @\u200ball',
    );
    console.log('Mattermost post of a failing build (PUT body):\n' + mattermost.server.requests[2].body);

    expect(await service.stop()).toBe(0);
    expect(service.stderr()).not.toContain(MATTERMOST_TOKEN);
    expect(service.stateText()).not.toContain(MATTERMOST_TOKEN);
    service = undefined;
  });

  it('a deleted started post: the result is posted anew', async () => {
    mattermost = await FakeMattermost.start();
    service = await startChat(reporter({ thread: false }));
    const [started, finished] = failing();
    await service.post(started);
    await waitFor(() => mattermost!.channel.length === 1, 'the started post');
    mattermost.posts.clear();
    await service.post(finished);
    await waitFor(() => mattermost!.channel.length === 1, 'the result posted anew');
    expect(mattermost.server.requests.map((r) => r.method)).toEqual(['POST', 'PUT', 'POST']);
    expect(attachmentOf(mattermost.channel[0].props).color).toBe('#d50200');
  });

  it('a wrong token is final: 401, one attempt', async () => {
    mattermost = await FakeMattermost.start();
    service = await startChat(reporter({ token: 'wrongtoken0000' }));
    await service.post(capturedBuild('fail.finished'));
    await waitFor(() => /delivery failed/.test(service!.stderr()), 'the failure');
    expect(mattermost.server.requests).toHaveLength(1);
    expect(service.stderr()).toContain('answered 401');
    expect(service.stderr()).not.toContain('wrongtoken0000');
  });
});

describe('mattermost with an incoming webhook', () => {
  const reporter = (options: Record<string, unknown> = {}) => ({
    plugin: 'mattermost',
    name: 'mattermost',
    options: { webhook: mattermost!.webhookUrl, mode: 'all', ...options },
  });

  it('sends start and result as two posts, in order, after a 429; the webhook URL is nowhere', async () => {
    mattermost = await FakeMattermost.start();
    mattermost.rateLimits = 1;
    service = await startChat(reporter());
    for (const body of failing()) await service.post(body);
    await waitFor(() => mattermost!.channel.length === 2, 'both posts');
    expect(mattermost.server.requests.map((r) => r.url)).toEqual([HOOK_PATH, HOOK_PATH, HOOK_PATH]);
    expect(mattermost.problems).toEqual([]);
    expect(mattermost.channel.map((p) => attachmentOf(p.props).color)).toEqual(['#9e9e9e', '#d50200']);
    expect(attachmentOf(mattermost.channel[1].props).title_link).toMatch(/#builders\/\d+\/builds\/\d+$/);
    expect(service.stderr()).not.toContain(HOOK_PATH);
    expect(service.stateText()).not.toContain(HOOK_PATH);
  });

  it('a formatter body is the Markdown text, mentions defused, cut to 16383 characters', async () => {
    mattermost = await FakeMattermost.start();
    service = await startChat(
      reporter({ messageFormatter: { template: `@here <%= buildername %> ${'y'.repeat(17_000)}` } }),
    );
    await service.post(capturedBuild('fail.finished'));
    await waitFor(() => mattermost!.channel.length === 1, 'the post');
    const { message } = mattermost.channel[0];
    expect(message.slice(0, 13)).toBe('@\u200bhere fail y');
    expect([...message]).toHaveLength(16_383);
  });

  it('preview shows the post as Mattermost receives it, the webhook masked', async () => {
    mattermost = await FakeMattermost.start();
    const result = await previewChat(reporter(), capturedBuild('fail.finished'));
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain('secrethookkey');
    expect(result.stdout).toContain(`${mattermost.server.url}/********`);
    expect(result.stdout).toContain('Build #1 of fail failed');
  });
});
