/** Handlers for the car resource, keyed by operationId. Thin: validated input in, store call, response out. */
import { carExists, carNotFound, noFreeId, validationFailed } from '../errors.js';
import type { Handlers } from '../http/handler-types.js';
import type { CarStore } from '../store/car-store.js';

type CarHandlers = Pick<Handlers, 'listCars' | 'createCar' | 'getCar' | 'replaceCar' | 'deleteCar'>;

const location = (id: number) => `/cars/${id}`;

/** Builds the car handlers over a store. */
export function createCarHandlers(store: CarStore): CarHandlers {
  return {
    async listCars() {
      return { status: 200, body: await store.list() };
    },

    async createCar({ body }) {
      const car = await store.insert(body);
      if (!car) throw body.id === undefined ? noFreeId() : carExists(body.id);
      return { status: 201, body: car, headers: { Location: location(car.id) } };
    },

    async getCar({ path }) {
      const car = await store.get(path.carId);
      if (!car) throw carNotFound(path.carId);
      return { status: 200, body: car };
    },

    async replaceCar({ path, body }) {
      const id = path.carId;
      if (body.id !== undefined && body.id !== id) {
        throw validationFailed(
          [{ pointer: '/id', message: `must equal the id in the path (${id})` }],
          `The body's id (${body.id}) differs from the path's id (${id}).`,
        );
      }
      const { car, created } = await store.put({ id, model: body.model, color: body.color });
      return created
        ? { status: 201, body: car, headers: { Location: location(id) } }
        : { status: 200, body: car };
    },

    async deleteCar({ path }) {
      if (!(await store.delete(path.carId))) throw carNotFound(path.carId);
      return { status: 204, body: undefined };
    },
  };
}
