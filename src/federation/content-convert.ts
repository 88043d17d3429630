import { stars } from '../reviews/review.service.js';
import type { ProductRow, ReviewRow } from '../reviews/review.table.js';
import type { StoryView } from '../stories/story.service.js';
import { absoluteLinks, PUBLIC } from './convert.js';

export const reviewIri = (baseUrl: string, id: number): string => `${baseUrl}/reviews/${id}`;
export const storyIri = (baseUrl: string, id: number): string => `${baseUrl}/stories/${id}`;

const escape = (s: string): string => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * A review as other servers read it: a plain Note from the member, its rating first in the
 * text ("★★★★☆ 4/5 for Oat latte"), since no fediverse software has a review type that
 * Mastodon, Lemmy and Misskey all show. Addressed to the public and cc'd to the community.
 */
export function reviewToNote(review: ReviewRow, product: Pick<ProductRow, 'id' | 'name'>, c: { baseUrl: string; authorIri: string; authorFollowers: string; groupIri: string }): Record<string, unknown> {
  const productUrl = `${c.baseUrl}/products/${product.id}`;
  return {
    id: reviewIri(c.baseUrl, review.id),
    type: 'Note',
    attributedTo: c.authorIri,
    content: `<p>${stars(review.rating)} ${review.rating}/5 for <a href="${escape(productUrl)}">${escape(product.name)}</a></p>${absoluteLinks(review.body_html, c.baseUrl)}`,
    mediaType: 'text/html',
    source: { content: `${stars(review.rating)} ${review.rating}/5 for ${product.name}\n\n${review.body_md}`, mediaType: 'text/markdown' },
    url: `${productUrl}#review-${review.id}`,
    published: review.created_at,
    updated: review.updated_at !== review.created_at ? review.updated_at : undefined,
    to: [PUBLIC],
    cc: [c.authorFollowers, c.groupIri],
    audience: c.groupIri,
  };
}

/**
 * A published story: an Article from the community's Group (the community is the
 * publisher), its byline crediting the author first in the text and, for a member, a
 * Mention so their followers' servers link to them.
 */
export function storyToArticle(story: StoryView, c: { baseUrl: string; groupIri: string; groupFollowers: string; authorIri: string | null; authorAddress: string | null }): Record<string, unknown> {
  const id = storyIri(c.baseUrl, story.id);
  const byline = c.authorIri
    ? `<p>By <a href="${escape(c.authorIri)}" class="u-url mention">${escape(story.byline.name)}</a></p>`
    : `<p>By ${escape(story.byline.name)}</p>`;
  return {
    id,
    type: 'Article',
    attributedTo: c.groupIri,
    name: story.title,
    content: `${byline}${absoluteLinks(story.body_html, c.baseUrl)}`,
    mediaType: 'text/html',
    url: id,
    published: story.published_at ?? story.updated_at,
    to: [PUBLIC],
    cc: [c.groupFollowers, ...(c.authorIri ? [c.authorIri] : [])],
    audience: c.groupIri,
    tag: c.authorIri && c.authorAddress ? [{ type: 'Mention', href: c.authorIri, name: c.authorAddress }] : [],
  };
}
