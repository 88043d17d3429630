import type { Kysely, Transaction } from 'kysely';
import type { InviteTable, MemberTable, ServerSecretTable, SessionTable, CommunityCountTable } from '../community/member.table.js';
import type { PostShareTable, PostTable, ReactionTable } from '../community/post.table.js';
import type { SpaceTable } from '../community/space.table.js';
import type {
  ApContextTable,
  ApDeliveryQueueTable,
  ApObjectTable,
  ApStreamActorTable,
  ApStreamCollectionTable,
  ApStreamObjectTable,
  ApStreamTable,
} from '../federation/store/store.table.js';
import type { FederationBlockTable, FollowRequestTable, RemoteBlockTable } from '../federation/federation.table.js';
import type { ModerationLogTable, ReportTable } from '../moderation/moderation.table.js';
import type { LedgerBalanceTable, LedgerEntryTable } from '../rewards/ledger.table.js';
import type { AchievementCountTable, SpaceReputationTable, StandingStateTable, StandingTotalTable } from '../rewards/standing.table.js';
import type { AchievementTable, MemberBadgeTable, RedemptionTable, RewardTable, SpaceExpertTable } from '../rewards/reward.table.js';
import type { NotificationSettingsTable, NotificationTable } from '../notifications/notification.table.js';
import type { EventRsvpTable, EventTable } from '../events/event.table.js';
import type { IdeaTable, IdeaVoteTable } from '../ideas/idea.table.js';
import type { QuestionTable } from '../qa/question.table.js';
import type { ProductTable, ReviewTable } from '../reviews/review.table.js';
import type { StoryTable } from '../stories/story.table.js';
import type { PollOptionTable, PollTable, PollVoteTable, PollVoterTable } from '../polls/poll.table.js';

/** Every table, as kysely sees it. Each module owns its `*.table.ts`. */
export interface Database {
  members: MemberTable;
  sessions: SessionTable;
  invites: InviteTable;
  server_secrets: ServerSecretTable;
  spaces: SpaceTable;
  posts: PostTable;
  reactions: ReactionTable;
  post_shares: PostShareTable;
  moderation_log: ModerationLogTable;
  ap_objects: ApObjectTable;
  ap_streams: ApStreamTable;
  ap_stream_collections: ApStreamCollectionTable;
  ap_stream_actors: ApStreamActorTable;
  ap_stream_objects: ApStreamObjectTable;
  ap_delivery_queue: ApDeliveryQueueTable;
  ap_contexts: ApContextTable;
  follow_requests: FollowRequestTable;
  federation_blocks: FederationBlockTable;
  remote_blocks: RemoteBlockTable;
  reports: ReportTable;
  ledger_entries: LedgerEntryTable;
  ledger_balances: LedgerBalanceTable;
  standing_totals: StandingTotalTable;
  achievement_counts: AchievementCountTable;
  space_reputation: SpaceReputationTable;
  standing_state: StandingStateTable;
  community_counts: CommunityCountTable;
  rewards: RewardTable;
  redemptions: RedemptionTable;
  achievements: AchievementTable;
  member_badges: MemberBadgeTable;
  space_experts: SpaceExpertTable;
  notifications: NotificationTable;
  notification_settings: NotificationSettingsTable;
  events: EventTable;
  event_rsvps: EventRsvpTable;
  polls: PollTable;
  poll_options: PollOptionTable;
  poll_voters: PollVoterTable;
  poll_votes: PollVoteTable;
  ideas: IdeaTable;
  idea_votes: IdeaVoteTable;
  questions: QuestionTable;
  products: ProductTable;
  reviews: ReviewTable;
  stories: StoryTable;
}

export type Db = Kysely<Database>;
export type DbOrTx = Kysely<Database> | Transaction<Database>;
