import { InviteService } from './community/invite.service.js';
import { MemberService } from './community/member.service.js';
import { PasswordHasher } from './community/password.js';
import { PostService } from './community/post.service.js';
import { PostViews } from './community/post.views.js';
import { ReactionService } from './community/reaction.service.js';
import { SessionService } from './community/session.service.js';
import { SpaceService } from './community/space.service.js';
import type { Config } from './config.js';
import { EventBus } from './core/event-bus.js';
import type { Db } from './db/schema.js';
import { ModerationService } from './moderation/moderation.service.js';
import { ReportService } from './moderation/report.service.js';
import { RemoteService } from './community/remote.service.js';
import { EventService } from './events/event.service.js';
import { PollService } from './polls/poll.service.js';
import { IdeaService } from './ideas/idea.service.js';
import { QuestionService } from './qa/question.service.js';
import { ReviewService } from './reviews/review.service.js';
import { StoryService } from './stories/story.service.js';
import { DigestService } from './notifications/digest.service.js';
import { smtpMailer } from './mail/smtp-mailer.js';
import type { Mailer } from './notifications/mailer.js';
import { NotificationService } from './notifications/notification.service.js';
import { NotificationSubscribers } from './notifications/notification.subscribers.js';
import { AchievementService } from './rewards/achievement.service.js';
import { EarningService } from './rewards/earning.service.js';
import { LedgerService } from './rewards/ledger.service.js';
import { RewardService } from './rewards/reward.service.js';
import { StandingTotals } from './rewards/standing-totals.js';
import { StandingService } from './rewards/standing.service.js';
import { VoucherTokens } from './rewards/voucher-token.js';

export interface Services {
  bus: EventBus;
  members: MemberService;
  sessions: SessionService;
  invites: InviteService;
  spaces: SpaceService;
  posts: PostService;
  postViews: PostViews;
  reactions: ReactionService;
  moderation: ModerationService;
  remote: RemoteService;
  reports: ReportService;
  ledger: LedgerService;
  earning: EarningService;
  achievements: AchievementService;
  rewards: RewardService;
  standing: StandingService;
  /** Standing kept beside the ledger; `audit` and `rebuild` for `hearth economy audit`. */
  standingTotals: StandingTotals;
  notifications: NotificationService;
  notificationSubscribers: NotificationSubscribers;
  digest: DigestService;
  events: EventService;
  polls: PollService;
  ideas: IdeaService;
  questions: QuestionService;
  reviews: ReviewService;
  stories: StoryService;
}

export interface ServiceOptions {
  /** scrypt cost as log2(N); tests lower it, production keeps the default. */
  passwordCost?: number;
  /** Replaces the SMTP mailer from [email] (tests); null turns e-mail off. */
  mailer?: Mailer | null;
}

/** The domain, wired together; the web, API and command line all use this one set. */
export function createServices(db: Db, config: Config, options: ServiceOptions = {}): Services {
  const bus = new EventBus();
  const sessions = new SessionService(db);
  const invites = new InviteService(db);
  const members = new MemberService({
    db,
    bus,
    hasher: new PasswordHasher(options.passwordCost),
    sessions,
    invites,
    communityHandle: config.community.handle,
    membershipMode: () => config.membership.mode,
  });
  const spaces = new SpaceService(db, bus, config.community.handle);
  const posts = new PostService(db, bus, () => ({ maxPostChars: config.limits.max_post_chars }));
  const ideasOn = () => config.modules.ideas;
  const reactions = new ReactionService(db, bus, posts, ideasOn);
  const standingTotals = new StandingTotals(() => config.community.timezone);
  const ledger = new LedgerService(db, standingTotals, bus);
  const achievements = new AchievementService(db, bus, () => config.economy.badges, standingTotals);
  const earning = new EarningService(db, ledger, achievements, () => config.economy);
  earning.attach(bus);
  const moderation = new ModerationService(db, bus, posts, sessions, earning);
  const standing = new StandingService(db, standingTotals, () => config.economy.levels, () => config.economy.expert_threshold, bus);
  const ideas = new IdeaService(db, bus, posts);
  const events = new EventService(db, bus);
  const polls = new PollService(db, bus, posts);
  const notifications = new NotificationService(db);
  const mailer = options.mailer !== undefined ? options.mailer : smtpMailer(config.email, config.community.name);
  const notificationSubscribers = new NotificationSubscribers(db, notifications, ideas, {
    mailer, community: config.community.name, url: config.server.url,
    currency: () => ({ name: config.economy.currency_name, plural: config.economy.currency_plural }),
  });
  notificationSubscribers.attach(bus);
  return {
    bus, members, sessions, invites, spaces, posts, postViews: new PostViews(db, ideasOn), reactions, moderation, ledger, earning, achievements, notifications, notificationSubscribers,
    digest: new DigestService(db, mailer, { name: config.community.name, url: config.server.url, timezone: config.community.timezone }),
    events,
    polls,
    rewards: new RewardService(db, ledger, new VoucherTokens(db, config.server.url), () => config.economy.voucher_days, () => config.community.timezone),
    standing,
    standingTotals,
    ideas,
    questions: new QuestionService(db, bus, posts, (spaceId, memberId) => standing.isExpert(spaceId, memberId)),
    reviews: new ReviewService(db, bus),
    stories: new StoryService(db, bus, () => ({ maxPostChars: config.limits.max_post_chars, visitors: config.submissions.visitors })),
    remote: new RemoteService(db, bus, [ideas, polls, events], ideasOn),
    reports: new ReportService(db, bus),
  };
}
