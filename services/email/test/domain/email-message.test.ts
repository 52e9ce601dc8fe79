import { describe, expect, it } from 'vitest';
import { escapeHtml, layout } from '../../src/domain/email-message.ts';

describe('escapeHtml', () => {
  it('escapes every character that could open markup or leave an attribute', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
  });
});

describe('layout', () => {
  it('wraps the body in a page whose title is escaped', () => {
    const page = layout('Tom & Jerry', '<p>body</p>');
    expect(page).toContain('<title>Tom &amp; Jerry</title>');
    expect(page).toContain('<p>body</p>');
  });
});
