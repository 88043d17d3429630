import type { MemberRow } from '../../src/community/member.table.js';
import { type TestHearth, generalSpace, makeMember, settleDomain } from '../helpers/hearth.js';

/** Every optional module on, and a community name too long for one line on a phone. */
export const ALL_MODULES = {
  community: { name: 'The Extraordinarily Long-Named Neighbourhood Roastery & Bakery Cooperative', timezone: 'Europe/Berlin' },
  modules: { events: true, polls: true, ideas: true, qa: true, reviews: true, submissions: true },
  submissions: { visitors: true },
  economy: { enabled: true, gifts: true },
};

/** Strings that stress width: no break opportunities for dozens of characters. */
const LONG_URL = 'https://roastery.example/menus/seasonal/2026/autumn/single-origin-ethiopia-yirgacheffe-natural-process-tasting-notes?utm_source=newsletter&utm_campaign=autumn';
const LONG_WORD = 'Donaudampfschifffahrtsgesellschaftskapitänswitwenrentenversicherung';

export interface Seeded {
  owner: MemberRow;
  member: MemberRow;
  /** The owner's and member's handles (the longest the rules allow). */
  ownerHandle: string;
  memberHandle: string;
  /** Every member's handle: their own data, which may hold "_". */
  handles: string[];
}

const inDays = (days: number, time: string) => `${new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10)}T${time}`;

/**
 * A community with something on every page: spaces (one an idea board, one members-only),
 * threads with replies, reactions and a poll, a markdown table and code block, an event
 * with attendees, an idea with votes and a status, an answered question, stories in every
 * state, a product with a review, an economy with rewards, gifts, grants and a voucher,
 * invites, an open report, moderation log entries and notifications. Names, handles and
 * URLs are as long as the rules allow.
 */
export async function seedEverything(h: TestHearth): Promise<Seeded> {
  const s = h.services;
  const ownerHandle = 'owner_with_a_very_long_handle';
  const memberHandle = 'member_with_a_very_long_handle';
  const owner = await makeMember(h, { role: 'owner', handle: ownerHandle, displayName: `Olga ${LONG_WORD.slice(0, 50)}` });
  const member = await makeMember(h, { handle: memberHandle, displayName: 'Mia Supercalifragilisticexpialidocious-Smith 🌸 آنا' });
  const ben = await makeMember(h, { handle: 'ben_the_barista_on_weekends', displayName: 'Ben' });
  const moderator = await makeMember(h, { role: 'moderator', handle: 'moderator_of_the_roastery', displayName: 'Mo' });
  const troll = await makeMember(h, { handle: 'troll_who_posts_off_topic', displayName: 'Troll' });

  const general = await generalSpace(h);
  const ideas = await s.spaces.create(owner, { slug: 'ideas-and-suggestions-for-the-roastery', name: `Ideas: ${LONG_WORD}`, description: 'Tell us what to change.', visibility: 'public', kind: 'ideas' });
  await s.spaces.create(owner, { slug: 'staff-room', name: 'Staff room', description: 'Members only.', visibility: 'members' });

  const body = `Our autumn menu is at ${LONG_URL} and the word of the day is ${LONG_WORD}.\n\n| Bean | Origin | Process | Altitude | Notes |\n|---|---|---|---|---|\n| Yirgacheffe | Ethiopia | Natural | 2000 m | blueberry, jasmine, bergamot |\n\n\`\`\`\ncurl ${LONG_URL}\n\`\`\``;
  const thread = await s.posts.createThread(member, general, { title: `Autumn menu: ${LONG_WORD}`, body });
  await s.posts.reply(ben, thread.id, { body: `Loved it! ${LONG_URL}` });
  const reply = await s.posts.reply(owner, thread.id, { body: 'Thanks, see you on Saturday.' });
  await s.posts.reply(member, reply.id, { body: 'Nested reply with a long word: ' + LONG_WORD });
  await s.reactions.toggle(ben, thread.id, 'love');
  await s.reactions.toggle(owner, thread.id, 'like');
  await s.polls.createThread(owner, general, { title: 'Which origin next?', body: 'Pick one.' }, { options: ['Ethiopia Yirgacheffe natural', 'Colombia Huila washed', LONG_WORD], multiple: false, closesInHours: 72, results: 'after_vote' });

  const event = await s.events.create(owner, {
    spaceId: general.id, title: `Cupping session: ${LONG_WORD}`, description: 'Taste **three** single origins.',
    startsLocal: inDays(3, '18:00'), endsLocal: inDays(3, '20:00'), timezone: 'Europe/Berlin',
    address: `1 ${LONG_WORD}straße, 10115 Berlin`, onlineUrl: LONG_URL, capacity: 12,
  });
  await s.events.rsvp(member, event.id, 'going');
  await s.events.rsvp(ben, event.id, 'maybe');

  const idea = await s.ideas.propose(member, ideas, { title: `Oat milk flat whites and ${LONG_WORD}`, body: 'Half of us are lactose intolerant.' });
  await s.ideas.vote(ben, idea.id, 1);
  await s.ideas.setStatus(owner, idea.id, 'under_review', 'We are asking our supplier.');
  await s.ideas.propose(ben, ideas, { title: 'Longer opening hours', body: 'Open at 6.' });

  const question = await s.questions.ask(member, general, { title: 'Do you roast your own beans?', body: 'Curious where they come from.' });
  const answer = await s.posts.reply(owner, question.id, { body: 'Yes, every Tuesday morning.' });
  await s.questions.accept(member, answer.id);

  const story = await s.stories.submit({ member }, { title: `How I learned to pour a heart: ${LONG_WORD}`, body: `It took **months**. ${LONG_URL}` });
  await s.stories.approve(owner, story.id, 'Lovely.');
  await s.stories.publish(owner, story.id);
  await s.stories.submit({ member: ben }, { title: 'My first espresso', body: 'Bitter.' });
  const rejected = await s.stories.submit({ member }, { title: 'Too short', body: 'Hi.' });
  await s.stories.reject(owner, rejected.id, 'Tell us more.');

  const product = await s.reviews.createProduct(owner, { name: `Cinnamon bun with ${LONG_WORD}`, description: 'Baked daily.' });
  await s.reviews.save(member, product.id, { rating: 4, body: `Crisp edges. ${LONG_URL}` });

  await s.ledger.adjust(owner, member.id, 25, 'Welcome to the roastery');
  await s.ledger.gift(member, ben.id, 3, `For the ${LONG_WORD}`);
  const reward = await s.rewards.create(owner, { title: `Espresso on the house: ${LONG_WORD}`, description: 'Any bean.', price: 10, stock: 5, perMemberLimit: 2, startsOn: null, endsOn: null });
  await s.rewards.create(owner, { title: 'Free pastry', description: 'Any pastry.', price: 5, stock: null, perMemberLimit: null, startsOn: null, endsOn: null });
  await s.rewards.redeem(member, reward.id);

  await s.invites.create(owner, { maxUses: 10, expiresInDays: 30 });
  const revoked = await s.invites.create(owner, { maxUses: 1, expiresInDays: 0 });
  await s.invites.revoke(owner, revoked.code);

  const offTopic = await s.posts.createThread(troll, general, { title: 'Buy cheap watches', body: 'Spam.' });
  await s.reports.file({ reporterId: member.id, targetMemberId: troll.id, postId: offTopic.id, comment: `This is spam, see ${LONG_URL}`, source: 'member' });
  const removed = await s.posts.createThread(troll, general, { title: 'More spam', body: 'Spam again.' });
  await s.moderation.removePost(moderator, removed.id, 'Off-topic');
  await s.moderation.suspend(owner, troll.id, 'Repeated spam');
  await s.moderation.setRole(owner, ben.id, 'moderator');

  await settleDomain(h);
  const handles = [owner, member, ben, moderator, troll].map((m) => m.handle);
  return { owner, member, ownerHandle, memberHandle, handles };
}
