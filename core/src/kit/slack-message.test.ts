import { describe, expect, it } from 'vitest';
import type { BuildSummary } from './build-summary.js';
import { FIELD_MAX, slackMrkdwn, summaryAttachment } from './slack-message.js';

const summary: BuildSummary = {
  status: 'failure',
  statusText: 'failed',
  colour: '#d50200',
  emoji: '❌',
  title: 'Build #3 of <!channel> failed',
  builder: '<!channel>',
  number: 3,
  url: 'https://ci.example.org/#builders/5/builds/3',
  blamelist: ['Dev <dev@example.org>'],
  failingSteps: ['compile'],
  sources: [],
};

describe('Slack-compatible messages', () => {
  it('escapes mrkdwn and keeps a link label from ending the link', () => {
    expect(slackMrkdwn.text('<!here> & <x>')).toBe('&lt;!here&gt; &amp; &lt;x&gt;');
    expect(slackMrkdwn.link('https://ci/a b|c', 'x|y > z')).toBe('<https://ci/a%20b%7Cc|x¦y &gt; z>');
  });

  it('renders a summary as one coloured attachment with escaped fields, each within the field limit', () => {
    const attachment = summaryAttachment({ ...summary, failingSteps: ['s'.repeat(3000)] }, slackMrkdwn);
    expect(attachment).toMatchObject({
      color: '#d50200',
      fallback: '❌ Build #3 of <!channel> failed',
      title_link: summary.url,
    });
    expect(attachment.fields.map((f) => f.title)).toEqual(['Result', 'Builder', 'Blamelist', 'Failing steps']);
    expect(attachment.fields[1].value).toBe('&lt;!channel&gt;');
    expect([...attachment.fields[3].value]).toHaveLength(FIELD_MAX);
  });
});
