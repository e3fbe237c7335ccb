/**
 * What an Idempotency-Key keeps of the car its first request created, and the replay built from
 * it: the same in every engine (SQLite keeps it as JSON text, PostgreSQL as jsonb).
 */
import type { Car } from '../types.js';
import type { InsertOutcome, StoredCar } from './car-store.js';

/** What an idempotency key keeps of the car it created: the first answer's body and ETag. */
export interface FirstAnswer extends Car {
  revision?: number;
}

/** What a key keeps of the car its first request created. */
export function firstAnswerOf(car: StoredCar): FirstAnswer {
  return { id: car.id, model: car.model, color: car.color, revision: car.revision };
}

/** The `replayed` outcome for the first answer a key kept. */
export function replayOf(first: FirstAnswer): InsertOutcome {
  // Rebuilt field by field: jsonb does not keep the key order the car was written with.
  const car: Car = { id: first.id, model: first.model, color: first.color };
  return typeof first.revision === 'number' ? { status: 'replayed', car, revision: first.revision } : { status: 'replayed', car };
}
