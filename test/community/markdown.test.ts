import { expect } from 'chai';
import { markdownToPlainText, renderMarkdown } from '../../src/community/markdown.js';

describe('members’ Markdown', () => {
  describe('as plain text (calendar files, e-mail, previews, meta descriptions)', () => {
    it('drops emphasis and heading marks but keeps the words', () => {
      expect(markdownToPlainText('Learn to pour a **heart**, _tulip_ and ~~swan~~.')).to.equal('Learn to pour a heart, tulip and swan.');
      expect(markdownToPlainText('# Opening hours\n\nMon–Fri')).to.equal('Opening hours\n\nMon–Fri');
    });

    it('keeps link addresses readable, and writes an address once when it is its own text', () => {
      expect(markdownToPlainText('See [the menu](https://cafe.example/menu) or <https://cafe.example>.')).to.equal(
        'See the menu (https://cafe.example/menu) or https://cafe.example.',
      );
      expect(markdownToPlainText('Write to hello@cafe.example')).to.equal('Write to hello@cafe.example');
    });

    it('keeps paragraphs apart and list items as bullets or numbers', () => {
      expect(markdownToPlainText('Bring:\n\n- a **cup**\n- a friend\n\nThen:\n\n3. pour\n4. drink')).to.equal('Bring:\n\n- a cup\n- a friend\n\nThen:\n\n3. pour\n4. drink');
    });

    it('keeps code as written, marks and all', () => {
      expect(markdownToPlainText('Type `**bold**` like this:\n\n```\nconst a = 1 < 2 && **x**;\n```')).to.equal('Type **bold** like this:\n\nconst a = 1 < 2 && **x**;');
    });

    it('decodes entities and keeps only the text of raw HTML', () => {
      expect(markdownToPlainText('Tea &amp; cake &copy; 2026 &#x2615; &bogus; <b>now</b>')).to.equal('Tea & cake © 2026 ☕ &bogus; now');
      expect(markdownToPlainText('<div>Fish &amp; <i>chips</i></div>')).to.equal('Fish & chips');
    });

    it('cuts long text at a word boundary with an ellipsis, within the limit', () => {
      const text = markdownToPlainText('The **quick** brown fox jumps over the lazy dog', { maxLength: 20 });
      expect(text).to.equal('The quick brown fox…');
      expect(text.length).to.be.at.most(20);
      expect(markdownToPlainText('Short', { maxLength: 20 })).to.equal('Short');
      expect(markdownToPlainText('Supercalifragilisticexpialidocious', { maxLength: 10 })).to.equal('Supercali…');
    });

    it('makes one line when asked (for attributes)', () => {
      expect(markdownToPlainText('One\n\n- two\n- three', { singleLine: true })).to.equal('One - two - three');
    });
  });

  describe('as HTML, with mentions', () => {
    const known = new Map([
      ['bob', '/@bob'],
      ['zoe@social.example', 'https://social.example/@zoe'],
    ]);

    it('links a known local member to their profile and a known remote account the way Mastodon does', () => {
      const html = renderMarkdown('Hey @Bob. Ask @zoe@social.example!', known);
      expect(html).to.contain('Hey <a href="/@bob" class="mention">@Bob</a>.');
      expect(html).to.contain(
        '<span class="h-card"><a href="https://social.example/@zoe" class="u-url mention" rel="nofollow noopener ugc">@<span>zoe</span></a></span>!',
      );
    });

    it('leaves unknown handles, code, existing links and e-mail addresses alone', () => {
      const html = renderMarkdown('@nobody, `@bob`, [@bob](https://x.example), bob@cafe.example\n\n```\n@bob\n```', known);
      expect(html).to.contain('<p>@nobody, <code>@bob</code>, <a href="https://x.example" rel="nofollow noopener ugc">@bob</a>');
      expect(html).to.contain('<a href="mailto:bob@cafe.example"');
      expect(html).to.contain('<pre><code>@bob\n</code></pre>');
      expect(html).not.to.contain('class="mention"');
    });

    it('does not read a remote mention as an e-mail address, known or not', () => {
      expect(renderMarkdown('cc @ann@else.example')).to.equal('<p>cc @ann@else.example</p>');
    });

    it('does not let members forge mention markup into other links', () => {
      const html = renderMarkdown('<a href="https://evil.example" class="mention other" rel="me">x</a> <span class="big h-card" style="x">y</span>');
      expect(html).to.equal('<p><a href="https://evil.example" class="mention" rel="nofollow noopener ugc">x</a> <span class="h-card">y</span></p>');
    });
  });
});
