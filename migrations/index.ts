import type { Migration } from 'kysely';
import * as m0001 from './0001_members.js';
import * as m0002 from './0002_sessions.js';
import * as m0003 from './0003_server_secrets.js';
import * as m0004 from './0004_invites.js';
import * as m0005 from './0005_spaces.js';
import * as m0006 from './0006_posts.js';
import * as m0007 from './0007_reactions.js';
import * as m0008 from './0008_moderation_log.js';
import * as m0009 from './0009_activitypub_store.js';
import * as m0010 from './0010_remote_members_and_posts.js';
import * as m0011 from './0011_federation_follows_and_blocks.js';
import * as m0012 from './0012_reports.js';
import * as m0013 from './0013_ledger.js';
import * as m0014 from './0014_rewards.js';
import * as m0015 from './0015_achievements.js';
import * as m0016 from './0016_notifications.js';
import * as m0017 from './0017_events.js';
import * as m0018 from './0018_polls.js';
import * as m0019 from './0019_notification_settings.js';
import * as m0020 from './0020_idea_boards.js';
import * as m0021 from './0021_questions.js';
import * as m0022 from './0022_reviews.js';
import * as m0023 from './0023_stories.js';
import * as m0024 from './0024_delivery_queue_key_reference.js';
import * as m0025 from './0025_deleted_accounts_and_rsvp_messages.js';
import * as m0026 from './0026_member_time_zone.js';
import * as m0027 from './0027_voucher_use_key.js';
import * as m0028 from './0028_submission_keys.js';
import * as m0029 from './0029_standing_totals.js';
import * as m0030 from './0030_page_indexes.js';
import * as m0032 from './0032_activity_counts.js';

/** Static list: the migrator never scans the disk, so the compiled build and tsx agree. */
export const migrations: Record<string, Migration> = {
  '0001_members': m0001,
  '0002_sessions': m0002,
  '0003_server_secrets': m0003,
  '0004_invites': m0004,
  '0005_spaces': m0005,
  '0006_posts': m0006,
  '0007_reactions': m0007,
  '0008_moderation_log': m0008,
  '0009_activitypub_store': m0009,
  '0010_remote_members_and_posts': m0010,
  '0011_federation_follows_and_blocks': m0011,
  '0012_reports': m0012,
  '0013_ledger': m0013,
  '0014_rewards': m0014,
  '0015_achievements': m0015,
  '0016_notifications': m0016,
  '0017_events': m0017,
  '0018_polls': m0018,
  '0019_notification_settings': m0019,
  '0020_idea_boards': m0020,
  '0021_questions': m0021,
  '0022_reviews': m0022,
  '0023_stories': m0023,
  '0024_delivery_queue_key_reference': m0024,
  '0025_deleted_accounts_and_rsvp_messages': m0025,
  '0026_member_time_zone': m0026,
  '0027_voucher_use_key': m0027,
  '0028_submission_keys': m0028,
  '0029_standing_totals': m0029,
  '0030_page_indexes': m0030,
  '0032_activity_counts': m0032,
};
