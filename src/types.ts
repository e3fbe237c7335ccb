/** Aliases of the generated contract types; request and response shapes are never written by hand. */
import type { components, operations, paths } from '../generated/cars.js';

export type { components, operations, paths };

/** A stored car, as every read returns it. */
export type Car = components['schemas']['Car'];
/** A car as a client sends it: `id` is optional. */
export type CarCreate = components['schemas']['CarCreate'];
/** A merge patch of a car (RFC 7396): every field optional. */
export type CarPatch = components['schemas']['CarPatch'];
/** An RFC 9457 problem details body. */
export type Problem = components['schemas']['Problem'];
/** One failed check in a validation problem. */
export type ValidationError = components['schemas']['ValidationError'];
/** The name of every operation in the contract. */
export type OperationId = keyof operations;
/** An operation's header parameters, under their names in the spec. */
export type HeaderParameters<K extends OperationId> = NonNullable<operations[K]['parameters']['header']>;
