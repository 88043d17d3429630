/**
 * Text as a person reads it: the directional isolates (U+2066…U+2069) that isolateText
 * (src/core/format.ts) puts around user text in stored sentences are invisible, so tests
 * compare sentences without them.
 */
export const withoutIsolates = (text: string): string => text.replace(/[\u2066-\u2069]/g, '');
