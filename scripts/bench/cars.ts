/** The cars every bench store and the baseline hold: deterministic, so both serve the same JSON. */
import type { Car } from '../../src/types.js';

const MODELS = ['Honda Civic', 'Ford Focus', 'Toyota Corolla', 'Volkswagen Golf', 'Renault Clio', 'Fiat Panda', 'Kia Ceed'];
const COLORS = ['White', 'Black', 'Silver', 'Blue', 'Red', 'Grey', 'Green'];

/** The car with this id, as seeded. */
export function benchCar(id: number): Car {
  return { id, model: `${MODELS[id % MODELS.length]} ${id % 1000}`, color: COLORS[(id * 3) % COLORS.length] ?? 'White' };
}

/** The model and color every PUT and POST of the bench sends: valid against the spec's Car schema. */
export const WRITE_FIELDS = { model: 'Bench Roadster', color: 'Racing Green' } as const;
