import type { Generated } from 'kysely';

export interface ApObjectTable {
  id: string;
  type: string | null;
  doc: string;
  meta: string | null;
  is_local_person: number;
}

export interface ApStreamTable {
  seq: Generated<number>;
  id: string;
  type: string | null;
  doc: string;
  meta: string | null;
}

export interface ApStreamCollectionTable {
  seq: number;
  collection: string;
  pos: number;
}

export interface ApStreamActorTable {
  seq: number;
  actor: string;
}

export interface ApStreamObjectTable {
  seq: number;
  object_id: string;
  embedded: number;
}

export interface ApDeliveryQueueTable {
  rowid: Generated<number>;
  address: string;
  /** The sending actor's IRI: its key is looked up by it (ActorKeys), never copied here. */
  actor_id: string;
  body: string;
  host: string;
  attempt: number;
  after_ms: number;
  first_ms: number;
  leased_until_ms: number | null;
  last_status: number | null;
  last_error: string | null;
  failed_ms: number | null;
}

export interface ApContextTable {
  document_url: string;
  context_url: string | null;
  document: string;
}
