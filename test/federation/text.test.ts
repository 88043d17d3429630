import { expect } from 'chai';
import { remoteHtmlToText, sanitizeRemoteHtml } from '../../src/community/remote-html.js';
import { extractHashtags, extractMentions } from '../../src/community/mentions.js';
import { reactionKindOf } from '../../src/federation/inbox/like.js';

describe('text between servers', () => {
  it('finds mentions of local and remote people, but not e-mail addresses or code', () => {
    expect(extractMentions('Thanks @ana and @maria@mastodon.social! Mail me at bob@shop.example. `@notme@x.y`')).to.deep.equal([
      { user: 'ana', domain: null },
      { user: 'maria', domain: 'mastodon.social' },
    ]);
    expect(extractMentions('@peer@127.0.0.1:8123 hi')).to.deep.equal([{ user: 'peer', domain: '127.0.0.1:8123' }]);
  });

  it('finds hashtags, lower-cased and once each, not in links or numbers', () => {
    expect(extractHashtags('#Coffee time! #coffee #café #2024 https://x.example/#anchor &#39;')).to.deep.equal(['coffee', 'café']);
  });

  it('keeps what Mastodon keeps of remote HTML and nothing else', () => {
    const html = sanitizeRemoteHtml(
      '<p onclick="x()">Hi <a href="javascript:alert(1)">bad</a> <a href="https://ok.example" class="u-url mention evil" target="_blank">@ok</a>' +
        '<img src="https://tracker.example/p.gif"><script>alert(1)</script><span class="h-card big-red">card</span><b style="color:red">bold</b></p>',
    );
    expect(html).to.equal(
      '<p>Hi bad <a href="https://ok.example" class="u-url mention" rel="nofollow noopener noreferrer ugc">@ok</a><span class="h-card">card</span><b>bold</b></p>',
    );
    expect(remoteHtmlToText('<p>One &amp; two</p><p>three<br>four</p>')).to.equal('One & two\n\nthree\nfour');
  });

  it('reads Misskey and FEP-c0e0 reactions as ours, and anything else as a like', () => {
    expect(reactionKindOf({ id: 'x', type: 'Like' })).to.equal('like');
    expect(reactionKindOf({ id: 'x', type: 'Like', content: ['❤'] })).to.equal('love');
    expect(reactionKindOf({ id: 'x', type: 'EmojiReact', content: ['🎉'] })).to.equal('celebrate');
    expect(reactionKindOf({ id: 'x', type: 'EmojiReact', content: [':blobcat:'] })).to.equal('like');
  });
});
