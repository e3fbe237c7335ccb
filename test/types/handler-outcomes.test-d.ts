/**
 * Compile-time checks of the handler types (src/http/handler-types.ts), type-checked by
 * `tsc -p .`, which `npm test` runs first; nothing here runs. A handler answers only with what its
 * operation documents: a 2xx/304 status with its body, or a returned problem whose status is one of
 * its documented errors. Each `@ts-expect-error` fails the type check if the line under it compiles.
 */
import { carExists, carNotFound, HttpProblem, preconditionFailed, tooManyRequests, validationFailed } from '../../src/errors.js';
import type { Handler, Handlers } from '../../src/http/handler-types.js';
import type { operations } from '../../src/types.js';

type GetCar = Handler<operations['getCar']>;
type DeleteCar = Handler<operations['deleteCar']>;
const car = { id: 1, model: 'Honda', color: 'White' };

/** What getCar documents (200, 304, 400, 404, 429, ...): each of these compiles. */
export const documented: GetCar[] = [
  async () => ({ status: 200, body: car, headers: { ETag: '"1"' } }),
  async () => ({ status: 304, body: undefined }),
  async ({ path }) => carNotFound(path.carId),
  async () => validationFailed([{ pointer: '/path/carId', message: 'must be integer' }]),
  async () => tooManyRequests({ limit: 10, remaining: 0, retryAfterSeconds: 1 }),
];

/** deleteCar documents 412, which getCar does not. */
export const deleteMayFailAPrecondition: DeleteCar = async () => preconditionFailed();

/** Success statuses and bodies the operation does not document. */
export const undocumentedSuccesses: GetCar[] = [
  // @ts-expect-error getCar documents no 201.
  async () => ({ status: 201, body: car }),
  // @ts-expect-error getCar documents no 204.
  async () => ({ status: 204, body: undefined }),
  // @ts-expect-error a 200 body must be a Car.
  async () => ({ status: 200, body: { id: 1 } }),
];

/** Error statuses the operation does not document, returned as problems. */
export const undocumentedErrors: GetCar[] = [
  // @ts-expect-error getCar documents no 409.
  async ({ path }) => carExists(path.carId),
  // @ts-expect-error getCar documents no 412.
  async () => preconditionFailed(),
  // @ts-expect-error a problem of any status (here a teapot) is not a documented one.
  async () => HttpProblem.exposed(418, "I'm a teapot"),
];

/** The same holds for the handler map the app registers. */
export const mapWithAnUndocumentedError: Pick<Handlers, 'getCar'> = {
  // @ts-expect-error getCar documents no 409.
  getCar: async ({ path }) => carExists(path.carId),
};
