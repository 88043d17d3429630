import { expect } from 'chai';

/**
 * The hidden fields of the first form on a page posting to `action`, as a browser would send
 * them (CSRF token, one-time key, confirmation and carried values).
 */
export function hiddenFields(html: string, action: string): Record<string, string> {
  const start = html.indexOf(`action="${action}"`);
  expect(start, `a form posting to ${action}`).to.be.greaterThan(-1);
  const form = html.slice(start, html.indexOf('</form>', start));
  return Object.fromEntries([...form.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1]!, m[2]!]));
}
