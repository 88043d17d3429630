import { cleanText } from '../community/member.rules.js';
import { type Actor, atLeast } from '../community/roles.js';
import type { EventBus } from '../core/event-bus.js';
import { forbidden, notFound } from '../core/errors.js';
import { nowIso } from '../core/time.js';
import type { Db } from '../db/schema.js';

export interface ReportInput {
  reporterId: number | null;
  targetMemberId: number | null;
  postId: number | null;
  comment: string;
  source: 'remote' | 'member';
  /** The Flag activity's id, so a second delivery files nothing new. */
  activityId?: string | null;
}

export interface ReportListItem {
  id: number;
  comment: string;
  source: string;
  created_at: string;
  post_id: number | null;
  /** Handles with their domains (null for local members), for formatHandle. */
  reporter_handle: string | null;
  reporter_domain: string | null;
  target_handle: string | null;
  target_domain: string | null;
}

/** The moderators' queue of reports: filed from here or from other servers, resolved by moderators. */
export class ReportService {
  constructor(
    private readonly db: Db,
    private readonly bus: EventBus,
  ) {}

  async file(input: ReportInput): Promise<number> {
    const comment = cleanText(input.comment).slice(0, 2000);
    const row = await this.db
      .insertInto('reports')
      .values({
        reporter_id: input.reporterId, target_member_id: input.targetMemberId, post_id: input.postId, comment, source: input.source,
        activity_id: input.activityId ?? null, resolved_by: null, resolved_at: null, created_at: nowIso(),
      })
      .onConflict((oc) => oc.column('activity_id').where('activity_id', 'is not', null).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!row) {
      const existing = await this.db.selectFrom('reports').select('id').where('activity_id', '=', input.activityId ?? '').executeTakeFirstOrThrow();
      return existing.id;
    }
    this.bus.emit('report.filed', { reportId: row.id });
    return row.id;
  }

  async listOpen(viewer: Actor): Promise<ReportListItem[]> {
    if (!atLeast(viewer.role, 'moderator')) throw forbidden('Only moderators can read reports.');
    return this.db
      .selectFrom('reports as r')
      .leftJoin('members as rep', 'rep.id', 'r.reporter_id')
      .leftJoin('members as tgt', 'tgt.id', 'r.target_member_id')
      .select(['r.id', 'r.comment', 'r.source', 'r.created_at', 'r.post_id', 'rep.handle as reporter_handle', 'rep.domain as reporter_domain', 'tgt.handle as target_handle', 'tgt.domain as target_domain'])
      .where('r.status', '=', 'open')
      .orderBy('r.id', 'desc')
      .limit(200)
      .execute();
  }

  async resolve(actor: Actor, reportId: number): Promise<void> {
    if (!atLeast(actor.role, 'moderator')) throw forbidden('Only moderators can resolve reports.');
    const r = await this.db
      .updateTable('reports')
      .set({ status: 'resolved', resolved_by: actor.id, resolved_at: nowIso() })
      .where('id', '=', reportId)
      .where('status', '=', 'open')
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) throw notFound('That open report');
  }
}
