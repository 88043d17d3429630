import type { MemberRow } from '../community/member.table.js';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** The signed-in, active member, or null for a visitor. */
      member: MemberRow | null;
      sessionId: string | null;
      anonId?: string;
    }
  }
}
export {};
