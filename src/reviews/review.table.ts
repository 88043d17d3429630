import type { Generated, Selectable } from 'kysely';

export interface ProductTable {
  id: Generated<number>;
  name: string;
  description: Generated<string>;
  created_by: number;
  created_at: string;
  /** Archived products keep their reviews but take no new ones and leave the list. */
  archived_at: string | null;
  /** The one-time key of the form that listed it (`_once`, migration 0028); unique per admin. */
  submission_key: Generated<string | null>;
}
export type ProductRow = Selectable<ProductTable>;

export interface ReviewTable {
  id: Generated<number>;
  product_id: number;
  member_id: number;
  rating: number;
  body_md: string;
  body_html: string;
  created_at: string;
  updated_at: string;
}
export type ReviewRow = Selectable<ReviewTable>;
