import { expect } from 'chai';
import type { MemberRow } from '../../src/community/member.table.js';
import { logSentence } from '../../src/moderation/log-text.js';
import { type TestHearth, generalSpace, makeHearth, makeMember, settleDomain } from '../helpers/hearth.js';

const FSI = '\u2068';
const PDI = '\u2069';

// Issue 13, fault 4, in stored sentences: user text inside a notification or a log line is
// isolated (U+2068 … U+2069), so "سؤال 🌸 Opening hours?" cannot swap with the words and
// numbers around it in the list, the log or an e-mail (pages add <bdi> around the whole).
describe('user text inside stored sentences is isolated', () => {
  let h: TestHearth;
  let mod: MemberRow;
  let ana: MemberRow;
  beforeEach(async () => {
    h = await makeHearth({ economy: { badges: [] } });
    await makeMember(h, { role: 'owner', handle: 'own' });
    mod = await makeMember(h, { role: 'moderator', handle: 'mo' });
    ana = await makeMember(h, { handle: 'ana' });
  });
  afterEach(() => h.destroy());

  it('in the notice of a removal, the log line, and a reply notification, with numbers grouped', async () => {
    const post = await h.services.posts.createThread(ana, await generalSpace(h), { title: 'سؤال 🌸 Opening hours?', body: 'We open at 7' });
    const bob = await makeMember(h, { handle: 'bob' });
    await h.services.posts.reply(bob, post.id, { body: 'شكرا 5' });
    await settleDomain(h);
    await h.services.moderation.removePost(mod, post.id, 'خارج الموضوع');
    await settleDomain(h);
    const texts = (await h.services.notifications.list(ana.id)).items.map((n) => n.text);
    expect(texts.some((t) => t.includes(`“${FSI}سؤال 🌸 Opening hours?${PDI}”: ${FSI}خارج الموضوع${PDI}.`)), texts.join('\n')).to.equal(true);
    expect(texts.some((t) => t.includes(`replied to your post “${FSI}سؤال 🌸 Opening hours?${PDI}”: “${FSI}شكرا 5${PDI}”`)), texts.join('\n')).to.equal(true);
    const [entry] = await h.services.moderation.readLog(await h.services.members.getByHandle('own'), undefined, 1);
    const line = logSentence(entry!, { name: 'point', plural: 'points' });
    expect(line).to.contain(`“${FSI}سؤال 🌸 Opening hours?${PDI}”: ${FSI}خارج الموضوع${PDI}.`);
  });

  it('groups amounts in sentences the way pages do', () => {
    const line = logSentence(
      { action: 'economy.grant', reason: 'market', details: '1234567', actor_handle: 'own', actor_domain: null, target_handle: 'ana', target_domain: null, target_post_id: null, post_title: null },
      { name: 'point', plural: 'points' },
    );
    expect(line).to.equal(`@own gave @ana 1,234,567 points: ${FSI}market${PDI}.`);
  });
});
