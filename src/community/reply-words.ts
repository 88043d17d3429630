/**
 * The ONE place that names what follows a thread's first post, by the thread's kind: a
 * question gets answers, an idea comments, any other thread replies. The card in a list,
 * the thread's heading, its pager and its forms all take their words from here, so a
 * question never says "1 answer" in one place and "1 reply" in another.
 */
export type ThreadKind = 'post' | 'question' | 'idea';

const NOUNS: Record<ThreadKind, [one: string, many: string]> = {
  post: ['reply', 'replies'],
  question: ['answer', 'answers'],
  idea: ['comment', 'comments'],
};

/** Normalises a stored or template value to a kind ('post' for anything unknown). */
export function threadKind(value: unknown): ThreadKind {
  return value === 'question' || value === 'idea' ? value : 'post';
}

/** The noun alone: replyNoun('question') → "answer", replyNoun('idea', 2) → "comments". */
export function replyNoun(kind: ThreadKind, count = 1): string {
  const [one, many] = NOUNS[kind];
  return count === 1 ? one : many;
}

/** A count with its noun: "1 answer", "3 replies", "0 comments". */
export function replyCountText(count: number, kind: ThreadKind): string {
  return `${count} ${replyNoun(kind, count)}`;
}
