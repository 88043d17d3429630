import type { Generated, Selectable } from 'kysely';

export type EntryKind = 'award' | 'reversal' | 'grant' | 'deduction' | 'gift' | 'redemption' | 'refund';

export interface LedgerEntryTable {
  id: Generated<number>;
  debit: string;
  credit: string;
  amount: number;
  kind: EntryKind;
  rule: string | null;
  reason: string;
  source: string | null;
  /** The member the entry concerns (whose wallet it moves), for their history. */
  member_id: number | null;
  /** Who did it: the admin granting, the member giving; null for automatic awards. */
  actor_id: number | null;
  reverses: number | null;
  /** UTC day (YYYY-MM-DD), for daily caps. */
  day: string;
  created_at: string;
}
export type LedgerEntryRow = Selectable<LedgerEntryTable>;

export interface LedgerBalanceTable {
  account: string;
  balance: Generated<number>;
}
