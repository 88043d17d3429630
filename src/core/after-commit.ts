import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The unit of work a piece of code runs in, if any (src/db/unit-of-work.ts opens them):
 * while `open`, every query on the database joins the unit's one transaction, and effects
 * that must only follow a commit (domain events, waking the delivery worker) wait for it.
 */
export interface Unit {
  open: boolean;
  /**
   * Transactions begun inside the unit and still open, innermost last, each a savepoint
   * named by `named` (unit_1, unit_2...): with how many effects were deferred when it
   * began (a savepoint rolled back drops the effects deferred since, with its writes).
   */
  readonly savepoints: { name: string; effects: number }[];
  /** Savepoints named so far. */
  named: number;
  /**
   * Why the unit cannot commit, once something went wrong that a savepoint cannot undo
   * (two transactions inside it at once, SQLite's own rollback of the whole transaction):
   * it then rolls back whole, and every job in it fails.
   */
  broken: string | null;
  /** Run in order once the unit has committed; dropped if it rolls back. */
  readonly effects: (() => void)[];
}

/** Carried along every await started inside a unit (node:async_hooks). */
export const unitScope = new AsyncLocalStorage<Unit>();

/** The open unit the caller runs in, if any. */
export const openUnit = (): Unit | undefined => {
  const unit = unitScope.getStore();
  return unit?.open ? unit : undefined;
};

/**
 * Runs `effect` now, or, inside an open unit of work, once that unit commits (never if it
 * rolls back): what is announced must have been written.
 */
export function afterCommit(effect: () => void): void {
  const unit = openUnit();
  if (unit) unit.effects.push(effect);
  else effect();
}
