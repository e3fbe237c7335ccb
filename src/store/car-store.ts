/** The one data-access contract; every engine implements it with the same names and the same meaning. */
import type { Car, CarCreate, CarPatch } from '../types.js';

/** The largest id: 2^53 - 1, so every JSON parser reads ids exactly. */
export const MAX_CAR_ID = Number.MAX_SAFE_INTEGER;

/** A car as stored: the representation plus its revision. */
export interface StoredCar extends Car {
  /**
   * A store-wide, strictly increasing number assigned on every write (insert, replace, update).
   * It never repeats, not even for a car deleted and created again, so it is a strong validator.
   */
  revision: number;
}

/** A car to insert, as a client creates it; without an id the store picks the next free one (max id + 1, or the lowest gap). */
export type NewCar = CarCreate;

/** The fields `update` may change: a patch without its id (a car's id never changes). */
export type CarChanges = Omit<CarPatch, 'id'>;

/** Sortable fields: every field of a car. Strings compare by their UTF-8 bytes (SQLite BINARY, PostgreSQL COLLATE "C"). */
export type SortField = keyof Car;

/** One sort key. */
export interface SortKey {
  field: SortField;
  desc: boolean;
}

/** What to list. */
export interface ListQuery {
  /** Page size, 1..1000. */
  limit: number;
  /** Exact match, case-insensitive (compared after JavaScript `toLowerCase()`). */
  model?: Car['model'];
  /** Exact match, case-insensitive (compared after JavaScript `toLowerCase()`). */
  color?: Car['color'];
  /** Substring of model or color, case-insensitive; no wildcards. */
  q?: string;
  /** Sort keys; `id` ascending is appended as the final tie-breaker when absent. */
  sort: readonly SortKey[];
  /** Keyset position: the last car of the previous page; only the sort fields are read. */
  after?: Car;
  /** Also count every matching car (costs a scan of the matches). */
  withTotal?: boolean;
}

/** One page of a listing. */
export interface ListPage {
  cars: StoredCar[];
  /** True when more cars follow the last one. */
  hasMore: boolean;
  /** The number of matching cars, when `withTotal` was asked. */
  total?: number;
}

/** Conditions checked atomically with a write (the store's side of RFC 9110 §13's preconditions). */
export interface WriteCondition {
  /** Write only if the car exists (`any`) and, given revisions, is at one of them. */
  expectedRevisions?: 'any' | readonly number[];
  /** Create only: refuse the write when the car exists (PUT). */
  createOnly?: boolean;
  /** Refuse a write to an existing car that names neither `expectedRevisions` nor `createOnly`. */
  requireCondition?: boolean;
}

/** Why a conditional write did not happen. */
export type WriteRefusal = 'precondition-failed' | 'precondition-required';

/** The outcome of `put`. */
export type PutOutcome = { status: 'created' | 'replaced'; car: StoredCar } | { status: WriteRefusal };

/** The outcome of `update`. */
export type UpdateOutcome = { status: 'updated'; car: StoredCar } | { status: 'not-found' } | { status: WriteRefusal };

/** The outcome of `delete`. */
export type DeleteOutcome = { status: 'deleted' } | { status: 'not-found' } | { status: WriteRefusal };

/** An Idempotency-Key claim attached to an insert. */
export interface IdempotencyClaim {
  /** The client's key, 1..255 visible ASCII. */
  key: string;
  /** A digest of the request (method, path, body); the same key with another fingerprint is refused. */
  fingerprint: string;
  /** How long the key is remembered, in ms (24 h in production). */
  ttlMs: number;
}

/** The outcome of `insert`. */
export type InsertOutcome =
  | { status: 'created'; car: StoredCar }
  /** The id is taken (or, without an id, no id is free). */
  | { status: 'conflict'; id?: number }
  /**
   * The key was used before with the same fingerprint: the car as it was first created, and the
   * revision it was created with (absent for a key stored before revisions were kept with it).
   */
  | { status: 'replayed'; car: Car; revision?: number }
  /** The key was used before with a different fingerprint. */
  | { status: 'key-reused' };

/**
 * Storage for cars. Implementations return plain objects and `undefined` for a missing row.
 * Every method that checks and writes does both in one transaction, so no update is lost.
 */
export interface CarStore {
  /** A page of cars. */
  list(query: ListQuery): Promise<ListPage>;
  /** The car with this id, or `undefined`. */
  get(id: number): Promise<StoredCar | undefined>;
  /**
   * Inserts a car. With a claim, the key is recorded in the same transaction as the car, so a
   * retry (concurrent, or on another instance) replays instead of creating a second car.
   */
  insert(car: NewCar, claim?: IdempotencyClaim): Promise<InsertOutcome>;
  /** Creates or replaces the car with `car.id`, if the condition holds. */
  put(car: Car, condition?: WriteCondition): Promise<PutOutcome>;
  /** Changes some fields of an existing car, if the condition holds. */
  update(id: number, changes: CarChanges, condition?: WriteCondition): Promise<UpdateOutcome>;
  /** Deletes the car, if the condition holds. */
  delete(id: number, condition?: WriteCondition): Promise<DeleteOutcome>;
  /** Resolves when the store can serve requests; rejects when it cannot. */
  ping(): Promise<void>;
  /** Releases the store's resources. */
  close(): Promise<void>;
}

/** The condition semantics every engine shares: decides a write against the current row. */
export function checkCondition(current: StoredCar | undefined, condition: WriteCondition | undefined): WriteRefusal | undefined {
  if (!condition) return undefined;
  const { expectedRevisions } = condition;
  if (expectedRevisions !== undefined) {
    if (!current) return 'precondition-failed';
    if (expectedRevisions !== 'any' && !expectedRevisions.includes(current.revision)) return 'precondition-failed';
  }
  if (condition.createOnly && current) return 'precondition-failed';
  if (condition.requireCondition && current && expectedRevisions === undefined && !condition.createOnly) {
    return 'precondition-required';
  }
  return undefined;
}
