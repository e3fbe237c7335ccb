/** The one data-access contract; every engine implements it with the same names and meaning. */
import type { Car } from '../types.js';

/** The largest id: 2^53 - 1, so every JSON parser reads ids exactly. */
export const MAX_CAR_ID = Number.MAX_SAFE_INTEGER;

/** A car to insert; without an id the store picks the next free one. */
export interface NewCar {
  id?: number;
  model: string;
  color: string;
}

/** The result of an upsert: the stored car and whether it was created. */
export interface PutResult {
  car: Car;
  created: boolean;
}

/** Storage for cars. Implementations return plain objects and `undefined` for a missing row. */
export interface CarStore {
  /** Every car, ordered by id. */
  list(): Promise<Car[]>;
  /** The car with this id, or `undefined`. */
  get(id: number): Promise<Car | undefined>;
  /** Inserts a car; `undefined` when the id is taken (or, without an id, when no id is free). */
  insert(car: NewCar): Promise<Car | undefined>;
  /** Creates or replaces the car with `car.id`. */
  put(car: Car): Promise<PutResult>;
  /** Deletes the car; `false` when there was none. */
  delete(id: number): Promise<boolean>;
  /** Resolves when the store can serve requests. */
  ping(): Promise<void>;
  /** Releases the store's resources. */
  close(): Promise<void>;
}
