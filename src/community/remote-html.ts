import sanitizeHtml from 'sanitize-html';

/**
 * HTML from other servers, cut down to the allowlist Mastodon applies to remote posts
 * (its MASTODON_STRICT config): text formatting, lists, quotes, code and links; on
 * `span` and `a` only the microformat and mention/hashtag classes survive. No images,
 * no styles, no scripts, no `javascript:` links.
 */
const SAFE_HREF = /^(https?|dat|dweb|ipfs|ipns|ssb|gopher|xmpp|magnet|gemini):/i;
const CLASS_ALLOWED = /^(h|p|u|dt|e)-[a-z-]+$|^(mention|hashtag|ellipsis|invisible)$/;

const options: sanitizeHtml.IOptions = {
  allowedTags: ['p', 'br', 'span', 'a', 'del', 's', 'pre', 'blockquote', 'code', 'b', 'strong', 'u', 'i', 'em', 'ul', 'ol', 'li'],
  allowedAttributes: { a: ['href', 'class', 'rel'], span: ['class'], ol: ['start', 'reversed'], li: ['value'] },
  allowedSchemes: ['http', 'https', 'dat', 'dweb', 'ipfs', 'ipns', 'ssb', 'gopher', 'xmpp', 'magnet', 'gemini'],
  allowedSchemesAppliedToAttributes: ['href'],
  allowProtocolRelative: false,
  transformTags: {
    // A link to a scheme we do not allow keeps its text, as plain text.
    a: (tagName, attribs): sanitizeHtml.Tag =>
      SAFE_HREF.test(attribs.href ?? '')
        ? { tagName, attribs: { href: attribs.href!, class: keepClasses(attribs.class), rel: 'nofollow noopener noreferrer ugc' } }
        : { tagName: 'span', attribs: {} },
    span: (tagName, attribs) => ({ tagName, attribs: { class: keepClasses(attribs.class) } }),
  },
};

function keepClasses(raw: string | undefined): string {
  return (raw ?? '').split(/\s+/).filter((c) => CLASS_ALLOWED.test(c)).join(' ');
}

export function sanitizeRemoteHtml(html: string): string {
  return sanitizeHtml(html, options).replace(/ class=""/g, '').replace(/<span>([^<]*)<\/span>/g, '$1').trim();
}

/** Plain text of remote HTML, for the Markdown field a remote post keeps beside its HTML. */
export function remoteHtmlToText(html: string): string {
  const withBreaks = html.replace(/<br\s*\/?>/gi, '\n').replace(/<\/p>\s*<p[^>]*>/gi, '\n\n');
  return sanitizeHtml(withBreaks, { allowedTags: [], allowedAttributes: {} })
    .replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'")
    .trim();
}
