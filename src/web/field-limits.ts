import { BIO_MAX, DISPLAY_NAME_MAX, HANDLE_MAX, PASSWORD_MAX } from '../community/member.rules.js';
import { TITLE_MAX as POST_TITLE_MAX } from '../community/post.service.js';
import { SPACE_DESCRIPTION_MAX, SPACE_NAME_MAX } from '../community/space.service.js';
import type { Config } from '../config.js';
import { ADDRESS_MAX as EVENT_ADDRESS_MAX, CANCEL_REASON_MAX, DESCRIPTION_MAX as EVENT_DESCRIPTION_MAX, MESSAGE_MAX as RSVP_MESSAGE_MAX, TITLE_MAX as EVENT_TITLE_MAX } from '../events/event.rules.js';
import { NOTE_MAX as IDEA_NOTE_MAX } from '../ideas/idea.service.js';
import { REASON_MAX as MODERATION_REASON_MAX } from '../moderation/moderation.service.js';
import { OPTION_MAX as POLL_OPTION_MAX } from '../polls/poll.service.js';
import { DESCRIPTION_MAX as PRODUCT_DESCRIPTION_MAX, NAME_MAX as PRODUCT_NAME_MAX, REVIEW_MAX } from '../reviews/review.service.js';
import { REASON_MAX as LEDGER_REASON_MAX } from '../rewards/ledger.service.js';
import { DESCRIPTION_MAX as REWARD_DESCRIPTION_MAX, TITLE_MAX as REWARD_TITLE_MAX } from '../rewards/reward.service.js';
import { NAME_MAX as STORY_NAME_MAX, NOTE_MAX as STORY_NOTE_MAX, TITLE_MAX as STORY_TITLE_MAX } from '../stories/story.service.js';

/**
 * The longest text, in characters, each kind of form field takes: the very constants the
 * domain services validate against, gathered so that forms show them (`maxlength` and an
 * "up to N characters" hint, see views/partials/form.njk) before anything is sent.
 */
export type FieldLimits = ReturnType<typeof fieldLimits>;

/** The limits for `config` (post length is configurable, the rest are the services' constants): `{ postBody: 20000, … }`, in characters; never throws. */
export function fieldLimits(config: Config) {
  return {
    handle: HANDLE_MAX,
    displayName: DISPLAY_NAME_MAX,
    bio: BIO_MAX,
    password: PASSWORD_MAX,
    postTitle: POST_TITLE_MAX,
    postBody: config.limits.max_post_chars,
    spaceName: SPACE_NAME_MAX,
    spaceDescription: SPACE_DESCRIPTION_MAX,
    reason: MODERATION_REASON_MAX,
    eventTitle: EVENT_TITLE_MAX,
    eventDescription: EVENT_DESCRIPTION_MAX,
    eventAddress: EVENT_ADDRESS_MAX,
    rsvpMessage: RSVP_MESSAGE_MAX,
    cancelReason: CANCEL_REASON_MAX,
    ideaNote: IDEA_NOTE_MAX,
    pollOption: POLL_OPTION_MAX,
    productName: PRODUCT_NAME_MAX,
    productDescription: PRODUCT_DESCRIPTION_MAX,
    review: REVIEW_MAX,
    giftReason: LEDGER_REASON_MAX,
    rewardTitle: REWARD_TITLE_MAX,
    rewardDescription: REWARD_DESCRIPTION_MAX,
    storyTitle: STORY_TITLE_MAX,
    storyBody: config.limits.max_post_chars,
    storyName: STORY_NAME_MAX,
    storyNote: STORY_NOTE_MAX,
  };
}

/**
 * Bytes a form body may have before the parsers refuse it (413, the error page): at least
 * `limits.max_body_kb`, and always room for every field at its longest, so that an
 * over-long field reaches validation and comes back beside its field with the text kept.
 * Percent-encoding writes one UTF-16 unit as up to 9 bytes (a 3-byte UTF-8 character,
 * each byte as %XX); 64 KB covers the other fields and the names.
 */
export function formBodyLimitBytes(config: Config): number {
  const longest = Math.max(...Object.values(fieldLimits(config)));
  return Math.max(config.limits.max_body_kb * 1024, longest * 9 + 64 * 1024);
}
