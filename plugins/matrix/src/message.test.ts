import { describe, expect, it } from 'vitest';
import { escapeHtml, formattedContent, htmlToText, MAX_TEXT_BYTES, replacement } from './message.js';

describe('escapeHtml', () => {
  it('escapes the five characters that open markup or end an attribute', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
  });
});

describe('htmlToText', () => {
  it('turns block ends and <br> into line breaks, drops tags and decodes the entities escapeHtml writes', () => {
    expect(htmlToText('<p><b>a</b> &lt;b&gt;</p><ul><li>x &amp;amp;</li><li>y</li></ul>line<br/>end')).toBe(
      'a <b>\nx &amp;\ny\nline\nend',
    );
  });
});

describe('formattedContent', () => {
  it('plain text becomes escaped HTML with <br>; the text stays the body', () => {
    expect(formattedContent({ type: 'plain', body: 'a < b\nc' }, 'm.text')).toEqual({
      msgtype: 'm.text',
      body: 'a < b\nc',
      format: 'org.matrix.custom.html',
      formatted_body: 'a &lt; b<br>c',
      'm.mentions': {},
    });
  });

  it('HTML too long to cut safely becomes its text, cut and escaped, within the budget', () => {
    const content = formattedContent({ type: 'html', body: `<p>${'<b>x</b>'.repeat(10_000)}</p>` }, 'm.notice');
    expect(Buffer.byteLength(content.formatted_body)).toBeLessThanOrEqual(MAX_TEXT_BYTES);
    expect(content.formatted_body).not.toContain('<b>');
    expect(content.body).toBe('x'.repeat(10_000));
  });
});

describe('replacement', () => {
  it('is the new content with a starred fallback, m.new_content and m.relates_to m.replace', () => {
    const next = formattedContent({ type: 'plain', body: 'done' }, 'm.notice');
    expect(replacement(next, '$e')).toEqual({
      ...next,
      body: '* done',
      formatted_body: '* done',
      'm.new_content': next,
      'm.relates_to': { rel_type: 'm.replace', event_id: '$e' },
    });
  });
});
