/** Handlers for the car resource, keyed by operationId. Thin: validated input in, one store call, response out. */
import { createHash } from 'node:crypto';
import {
  HttpProblem,
  carExists,
  carNotFound,
  idempotencyKeyReused,
  noFreeId,
  preconditionFailed,
  preconditionRequired,
  validationFailed,
} from '../errors.js';
import { formatETag, ifMatchRevisions, ifNoneMatchHits } from '../http/etag.js';
import type { Handlers } from '../http/handler-types.js';
import { toListQuery } from './car-list-query.js';
import type { CarChanges, CarStore, StoredCar, WriteCondition, WriteRefusal } from '../store/car-store.js';
import type { Car, HeaderParameters } from '../types.js';

/** Options for the car handlers. */
export interface CarHandlerOptions {
  /** Answer unconditional writes to existing cars with 428. */
  requireIfMatch?: boolean;
  /** How long an Idempotency-Key is remembered, in ms. */
  idempotencyTtlMs?: number;
}

type CarHandlers = Pick<Handlers, 'listCars' | 'createCar' | 'getCar' | 'replaceCar' | 'updateCar' | 'deleteCar'>;

const DAY_MS = 24 * 60 * 60 * 1000;

const location = (id: number) => `/cars/${id}`;

/** The representation of a stored car, without its revision. */
const present = ({ id, model, color }: Car): Car => ({ id, model, color });

/** The conditional-request headers of the writes: replaceCar takes If-Match and If-None-Match; updateCar and deleteCar If-Match. */
type ConditionHeaders = HeaderParameters<'replaceCar'> & HeaderParameters<'updateCar'> & HeaderParameters<'deleteCar'>;

const refused = (reason: WriteRefusal) => (reason === 'precondition-required' ? preconditionRequired() : preconditionFailed());

/** A 400 for a body id that differs from the path id; undefined when they agree. */
function idMismatch(bodyId: number | undefined, pathId: number) {
  if (bodyId === undefined || bodyId === pathId) return undefined;
  return validationFailed(
    [{ pointer: '/id', message: `must equal the id in the path (${pathId}); a car's id cannot change` }],
    `The body's id (${bodyId}) differs from the path's id (${pathId}).`,
  );
}

/** Builds the car handlers over a store. */
export function createCarHandlers(store: CarStore, options: CarHandlerOptions = {}): CarHandlers {
  const { requireIfMatch = false, idempotencyTtlMs = DAY_MS } = options;

  const conditionFrom = (headers: ConditionHeaders): WriteCondition => {
    const condition: WriteCondition = { requireCondition: requireIfMatch };
    const ifMatch = ifMatchRevisions(headers['If-Match']);
    if (ifMatch !== undefined) condition.expectedRevisions = ifMatch === '*' ? 'any' : ifMatch;
    if (headers['If-None-Match']?.trim() === '*') condition.createOnly = true;
    return condition;
  };

  const withETag = (car: StoredCar, extra: Record<string, string> = {}) => ({
    body: present(car),
    headers: { ETag: formatETag(car.revision), ...extra },
  });

  return {
    async listCars({ query }) {
      const listing = toListQuery(query);
      if (listing instanceof HttpProblem) return listing;
      const { query: listQuery, nextLink } = listing;
      const page = await store.list(listQuery);
      const headers: Record<string, string> = {};
      const last = page.cars.at(-1);
      if (page.hasMore && last) headers.Link = nextLink(last);
      if (page.total !== undefined) headers['X-Total-Count'] = String(page.total);
      return { status: 200, body: page.cars.map(present), headers };
    },

    async createCar({ body, headers }) {
      const key = headers['Idempotency-Key'];
      const claim =
        key === undefined
          ? undefined
          : { key, fingerprint: fingerprint('POST /cars', body), ttlMs: idempotencyTtlMs };
      const outcome = await store.insert(body, claim);
      switch (outcome.status) {
        case 'created':
          return { status: 201, ...withETag(outcome.car, { Location: location(outcome.car.id) }) };
        case 'replayed': {
          // The first answer's ETag, when the key kept it (keys stored before it was kept have none).
          const etag: Record<string, string> = outcome.revision === undefined ? {} : { ETag: formatETag(outcome.revision) };
          return {
            status: 201,
            body: present(outcome.car),
            headers: { Location: location(outcome.car.id), ...etag, 'Idempotent-Replayed': 'true' },
          };
        }
        case 'key-reused':
          return idempotencyKeyReused();
        case 'conflict':
          return body.id === undefined ? noFreeId() : carExists(body.id);
      }
    },

    async getCar({ path, headers }) {
      const car = await store.get(path.carId);
      if (!car) return carNotFound(path.carId);
      if (ifNoneMatchHits(headers['If-None-Match'], car.revision)) {
        return { status: 304, body: undefined, headers: { ETag: formatETag(car.revision) } };
      }
      return { status: 200, ...withETag(car) };
    },

    async replaceCar({ path, body, headers }) {
      const id = path.carId;
      const mismatch = idMismatch(body.id, id);
      if (mismatch) return mismatch;
      const outcome = await store.put({ id, model: body.model, color: body.color }, conditionFrom(headers));
      switch (outcome.status) {
        case 'created':
          return { status: 201, ...withETag(outcome.car, { Location: location(id) }) };
        case 'replaced':
          return { status: 200, ...withETag(outcome.car) };
        default:
          return refused(outcome.status);
      }
    },

    async updateCar({ path, body, headers }) {
      const id = path.carId;
      const mismatch = idMismatch(body.id, id);
      if (mismatch) return mismatch;
      const changes: CarChanges = {};
      if (body.model !== undefined) changes.model = body.model;
      if (body.color !== undefined) changes.color = body.color;
      const outcome = await store.update(id, changes, conditionFrom(headers));
      switch (outcome.status) {
        case 'updated':
          return { status: 200, ...withETag(outcome.car) };
        case 'not-found':
          return carNotFound(id);
        default:
          return refused(outcome.status);
      }
    },

    async deleteCar({ path, headers }) {
      const outcome = await store.delete(path.carId, conditionFrom(headers));
      switch (outcome.status) {
        case 'deleted':
          return { status: 204, body: undefined };
        case 'not-found':
          return carNotFound(path.carId);
        default:
          return refused(outcome.status);
      }
    },
  };
}

/** A digest of a request, so a reused Idempotency-Key with another body is detected. Keys are sorted. */
function fingerprint(request: string, body: Record<string, unknown>): string {
  const canonical = JSON.stringify(body, Object.keys(body).sort());
  return createHash('sha256').update(request).update('\n').update(canonical).digest('base64url');
}
