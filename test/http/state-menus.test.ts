import { expect } from 'chai';
import { MEMBER_MOVES } from '../../src/community/member.rules.js';
import type { MemberRow } from '../../src/community/member.table.js';
import { STORY_MOVES } from '../../src/stories/story.service.js';
import { loggedInAgent, makeHearth, makeMember, type TestHearth } from '../helpers/hearth.js';

/**
 * Issue 13, fault 17 (menus): a state's page offers only the moves its transition table
 * allows from the current state, and the service refuses the rest: stories in the
 * editorial queue, members' standing in admin (ideas: test/ideas/support.test.ts).
 */
describe('state menus offer only the allowed moves', () => {
  let h: TestHearth;
  let owner: MemberRow;
  let ana: MemberRow;
  beforeEach(async () => {
    h = await makeHearth();
    owner = await makeMember(h, { handle: 'olga', role: 'owner' });
    ana = await makeMember(h, { handle: 'ana' });
  });
  afterEach(() => h.destroy());

  const actions = (html: string, prefix: string) => [...html.matchAll(new RegExp(`action="${prefix}([a-z/-]*)"`, 'g'))].map((m) => m[1]);

  it('the editorial page: the story’s moves from its status, none once rejected or published', async () => {
    const editor = await loggedInAgent(h, 'olga');
    const story = await h.services.stories.submit({ member: ana }, { title: 'Our first year', body: 'It was a good year.' });
    const movesOn = async () => actions((await editor.get(`/editorial/${story.id}`).expect(200)).text, `/editorial/${story.id}`);
    const asActions = (status: keyof typeof STORY_MOVES) => STORY_MOVES[status].map((m) => (m === 'edit' ? '' : `/${m}`));
    expect(await movesOn()).to.deep.equal(asActions('submitted'));
    await h.services.stories.approve(owner, story.id, '');
    expect(await movesOn()).to.deep.equal(asActions('approved'));
    expect(await movesOn()).not.to.include('/approve');
    await h.services.stories.publish(owner, story.id);
    expect(await movesOn()).to.deep.equal([]);
  });

  it('the members page: suspend only the active, lift only the suspended; a waiting request is decided, not suspended', async () => {
    const mod = await makeMember(h, { handle: 'mod', role: 'moderator' });
    const bob = await makeMember(h, { handle: 'bob' });
    await h.services.moderation.suspend(owner, bob.id, 'Spam');
    const page = (await (await loggedInAgent(h, 'olga')).get('/admin/members').expect(200)).text;
    const row = (handle: string) => new RegExp(`<tr id="m-${handle}">([\\s\\S]*?)</tr>`).exec(page)?.[1] ?? '';
    expect(actions(row('ana'), `/admin/members/${ana.id}/`)).to.deep.equal(['role', ...MEMBER_MOVES.active]);
    expect(actions(row('bob'), `/admin/members/${bob.id}/`)).to.deep.equal(['role', ...MEMBER_MOVES.suspended]);
    // The service keeps to the same table.
    await h.database.db.updateTable('members').set({ status: 'pending' }).where('id', '=', ana.id).execute();
    await h.services.moderation.suspend(mod, ana.id, 'Too eager');
    expect((await h.database.db.selectFrom('members').select('status').where('id', '=', ana.id).executeTakeFirstOrThrow()).status).to.equal('pending');
  });
});
