/**
 * @bbreporters/slack end to end: `bbreporters run` (the real CLI) sends captured Buildbot 3.7
 * builds to a loopback Slack that enforces the documented request shape, Block Kit limits, auth
 * and rate limits (test/support/slack-server.ts). Bodies are typed by @slack/webhook / @slack/types.
 */
import { buildSummary, type BuildPayload } from '@bbreporters/core';
import { summaryMessage, textMessage } from '@bbreporters/slack';
import type { IncomingWebhookSendArguments } from '@slack/webhook';
import { afterEach, describe, expect, it } from 'vitest';
import {
  capturedBuild,
  previewChat,
  startChat,
  waitFor,
  type BuildBody,
  type ChatService,
} from './support/chat-service.js';
import { CHANNEL_ID, FakeSlack, SLACK_TOKEN, WEBHOOK_PATH } from './support/slack-server.js';

/** A builder name that tries every trick mrkdwn has: a channel-wide mention, a link, markup, and too long for a header. */
const HOSTILE = `<!channel> <http://evil.example|click> *bold* & ${'x'.repeat(300)}`;
const failing = (edit: (b: BuildBody) => void = () => {}) => [
  capturedBuild('change-fail.new', edit),
  capturedBuild('change-fail.finished', edit),
];

let slack: FakeSlack | undefined;
let service: ChatService | undefined;
afterEach(async () => {
  await service?.stop();
  await slack?.close();
  service = slack = undefined;
});

describe('slack with a bot token (chat.postMessage, chat.update, threads)', () => {
  const reporter = (options: Record<string, unknown> = {}) => ({
    plugin: 'slack',
    name: 'slack',
    options: { token: SLACK_TOKEN, channel: '#builds', apiUrl: slack!.apiUrl, mode: 'all', ...options },
  });

  it('posts the start, updates it to the failure, replies in its thread; waits out a 429; escapes the builder', async () => {
    slack = await FakeSlack.start();
    slack.rateLimits = 1;
    service = await startChat(reporter());
    const [started, finished] = failing((b) => (b.builder.name = HOSTILE));
    await service.post(started);
    await waitFor(() => slack!.channel.length === 1, 'the started message');
    await service.post(finished);
    await waitFor(() => slack!.channel.length === 2, 'the reply in the thread');

    const paths = slack.server.requests.map((r) => r.url);
    expect(paths).toEqual([
      '/api/chat.postMessage',
      '/api/chat.postMessage',
      '/api/chat.update',
      '/api/chat.postMessage',
    ]);
    // Retry-After: 1 honoured.
    const [limited, retried] = slack.server.requests;
    expect(retried.at - limited.at).toBeGreaterThanOrEqual(950);
    expect(slack.problems).toEqual([]);
    expect(slack.server.requests.every((r) => r.headers.authorization === `Bearer ${SLACK_TOKEN}`)).toBe(true);

    const [first, reply] = slack.channel;
    expect(first).toMatchObject({ channel: CHANNEL_ID, edits: 1 });
    expect(reply.thread_ts).toBe(first.ts);
    const attachment = first.attachments![0];
    expect(attachment.color).toBe('#d50200');
    // In mrkdwn the hostile name is text: no channel-wide mention, no link of its own (plain_text is never parsed).
    const mrkdwn = [first.text, ...attachment.blocks!.flatMap((b) => [b.text, ...(b.fields ?? [])])]
      .filter((t) => typeof t === 'string' || t?.type === 'mrkdwn')
      .map((t) => (typeof t === 'string' ? t : t!.text!));
    expect(mrkdwn.length).toBeGreaterThan(3);
    for (const text of mrkdwn) {
      expect(text).not.toContain('<!channel>');
      expect(text).not.toContain('<http://evil.example|click>');
    }
    expect(mrkdwn.join()).toContain('&lt;!channel&gt;');
    expect(JSON.parse(slack.server.requests[2].body)).toMatchObject({ channel: CHANNEL_ID, ts: first.ts });
    console.log('Slack message of a failing build (chat.update body):\n' + slack.server.requests[2].body);

    expect(await service.stop()).toBe(0);
    expect(service.stderr()).not.toContain(SLACK_TOKEN);
    expect(service.stateText()).not.toContain(SLACK_TOKEN);
    service = undefined;
  });

  it('a started message that was deleted: the result is posted as a new message, not lost', async () => {
    slack = await FakeSlack.start();
    service = await startChat(reporter({ thread: false }));
    const [started, finished] = failing();
    await service.post(started);
    await waitFor(() => slack!.channel.length === 1, 'the started message');
    slack.posts.clear();
    await service.post(finished);
    await waitFor(() => slack!.channel.length === 1, 'the result posted anew');
    expect(slack.server.requests.map((r) => r.url)).toEqual([
      '/api/chat.postMessage',
      '/api/chat.update',
      '/api/chat.postMessage',
    ]);
    expect(slack.channel[0].attachments![0].color).toBe('#d50200');
  });

  it('a bad token is final: one attempt, the delivery fails with Slack error code', async () => {
    slack = await FakeSlack.start();
    service = await startChat(reporter({ token: 'xoxb-wrong-token' }));
    await service.post(capturedBuild('fail.finished'));
    await waitFor(() => /delivery failed/.test(service!.stderr()), 'the failure');
    expect(slack.server.requests).toHaveLength(1);
    expect(service.stderr()).toContain('ok:false, error invalid_auth');
    expect(service.stderr()).not.toContain('xoxb-wrong-token');
  });
});

describe('slack with an incoming webhook', () => {
  const reporter = (options: Record<string, unknown> = {}) => ({
    plugin: 'slack',
    name: 'slack',
    options: { webhook: slack!.webhookUrl, mode: 'all', ...options },
  });

  it('sends start and result as two messages, in order, after a 429; the webhook URL is nowhere', async () => {
    slack = await FakeSlack.start();
    slack.rateLimits = 1;
    service = await startChat(reporter());
    for (const body of failing()) await service.post(body);
    await waitFor(() => slack!.channel.length === 2, 'both messages');
    expect(slack.server.requests.map((r) => r.url)).toEqual([WEBHOOK_PATH, WEBHOOK_PATH, WEBHOOK_PATH]);
    expect(slack.problems).toEqual([]);
    expect(slack.channel.map((m) => m.attachments![0].color)).toEqual(['#9e9e9e', '#d50200']);
    expect(service.stderr()).not.toContain(WEBHOOK_PATH);
    expect(service.stateText()).not.toContain(WEBHOOK_PATH);
  });

  it('a formatter body is the text, escaped and cut to 40000 characters', async () => {
    slack = await FakeSlack.start();
    service = await startChat(
      reporter({ messageFormatter: { template: `<!here> <%= buildername %> ${'y'.repeat(41_000)}` } }),
    );
    await service.post(capturedBuild('fail.finished'));
    await waitFor(() => slack!.channel.length === 1, 'the message');
    const { text } = slack.channel[0];
    expect(text!.slice(0, 20)).toBe('&lt;!here&gt; fail y');
    expect([...text!]).toHaveLength(40_000);
    expect(text!.endsWith('…')).toBe(true);
  });

  it('preview shows the message as Slack receives it, the webhook masked', async () => {
    slack = await FakeSlack.start();
    const result = await previewChat(reporter(), capturedBuild('fail.finished'));
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain('SeCrEtWeBhOoKkEy42');
    expect(result.stdout).toContain(`${slack.server.url}/********`);
    expect(result.stdout).toContain('Build #1 of fail failed');
  });
});

describe('slack message bodies', () => {
  it('are what @slack/webhook takes (typed), and stay within Block Kit limits for any builder', () => {
    const build = capturedBuild('fail.finished', (b) => (b.builder.name = HOSTILE)) as unknown as BuildPayload;
    const typed: IncomingWebhookSendArguments = summaryMessage(buildSummary(build));
    const header = typed.attachments![0].blocks![0] as { text: { text: string } };
    expect([...header.text.text].length).toBeLessThanOrEqual(150);
    const plain: IncomingWebhookSendArguments = textMessage('a & b');
    expect(plain).toEqual({ text: 'a &amp; b' });
  });
});
