import { describe, expect, it } from 'vitest';
import { embedLength, fitEmbed, limits } from './limits.js';
import { escapeMarkdown } from './markdown.js';

describe('fitEmbed', () => {
  it('cuts each text to its limit and keeps at most 25 fields', () => {
    const fitted = fitEmbed({
      title: 't'.repeat(300),
      description: 'd'.repeat(5000),
      footer: { text: 'f'.repeat(3000) },
      fields: Array.from({ length: 30 }, (_, i) => ({ name: `n${i}`, value: 'v' })),
    });
    expect(Array.from(fitted.title!)).toHaveLength(limits.title);
    expect(fitted.title!.endsWith('…')).toBe(true);
    expect(fitted.fields).toHaveLength(limits.fields);
    expect(embedLength(fitted)).toBeLessThanOrEqual(limits.embedsTotal);
  });

  it('over 6000 in total: the description is shortened first, then the last fields go', () => {
    const fields = Array.from({ length: 8 }, (_, i) => ({ name: `n${i}`, value: 'v'.repeat(1024) }));
    const fitted = fitEmbed({ title: 'x', description: 'd'.repeat(4096), fields });
    expect(embedLength(fitted)).toBeLessThanOrEqual(limits.embedsTotal);
    expect(fitted.description).toBe('…');
    expect(fitted.fields!.length).toBeLessThan(8);
  });

  it('counts characters, not UTF-16 units', () => {
    expect(embedLength({ title: '❌🔄' })).toBe(2);
  });
});

describe('escapeMarkdown', () => {
  it('shows Markdown, mentions and links as written', () => {
    expect(escapeMarkdown('**b** _i_ ~s~ `c` |x| <@&1> @everyone [l](https://e)')).toBe(
      '\\*\\*b\\*\\* \\_i\\_ \\~s\\~ \\`c\\` \\|x\\| \\<\\@&1\\> \\@everyone \\[l\\](https\\://e)',
    );
    expect(escapeMarkdown('# head\n- item\n1. one\n> quote')).toBe('\\# head\n\\- item\n1\\. one\n\\> quote');
    expect(escapeMarkdown('build #1 a-b 2.0')).toBe('build #1 a-b 2.0');
  });
});
