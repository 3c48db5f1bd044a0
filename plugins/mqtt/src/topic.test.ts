import { describe, expect, it } from 'vitest';
import { renderTopic, topicLevel, type TopicValues } from './topic.js';

const values = (over: Partial<TopicValues>): TopicValues => ({
  builder: 'linux',
  result: 'success',
  event: 'finished',
  buildid: 7,
  number: 3,
  project: '',
  branch: undefined,
  repository: null,
  ...over,
});

describe('topic', () => {
  it('a plain value is one level as it is', () => {
    expect(renderTopic('buildbot/{builder}/{result}', values({}))).toBe('buildbot/linux/success');
    expect(renderTopic('ci/{buildid}-{number}/{event}', values({}))).toBe('ci/7-3/finished');
  });

  it.each([
    ['a/b', 'a%2Fb'],
    ['+', '%2B'],
    ['#', '%23'],
    ['50%', '50%25'],
    ['%2F', '%252F'],
    ['$SYS', '%24SYS'],
    ['a$b', 'a$b'],
    ['nul\u0000', 'nul%00'],
    ['ünï cødé', 'ünï cødé'],
  ])('hostile %j stays one level: %s', (builder, level) => {
    const topic = renderTopic('buildbot/{builder}/{result}', values({ builder }));
    expect(topic).toBe(`buildbot/${level}/success`);
    expect(topic.split('/')).toHaveLength(3);
    expect(topic).not.toMatch(/[+#\u0000]/);
  });

  it('an empty or missing value is "-", never an empty level', () => {
    expect(topicLevel('')).toBe('-');
    expect(topicLevel(undefined)).toBe('-');
    expect(renderTopic('{project}/{branch}/{repository}', values({}))).toBe('-/-/-');
  });

  it('the encoding is reversible: decodeURIComponent gives the value back', () => {
    for (const value of ['a/b+c#d%e', '$x/$y', '%%', 'plain'])
      expect(decodeURIComponent(topicLevel(value))).toBe(value);
  });
});
