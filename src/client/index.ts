export { createCarsClient, nextCursor } from './cars-client.js';
export { CarsApiError, CarsNetworkError, CarsResponseError } from './client-errors.js';
export type { CarsClient, CarsClientOptions, ListCarsQuery } from './cars-client.js';
export type { components, operations, paths } from '../../generated/cars.js';
