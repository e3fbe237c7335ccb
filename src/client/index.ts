export { createCarsClient, CarsApiError, nextCursor } from './cars-client.js';
export type { CarsClient, CarsClientOptions, ListCarsQuery } from './cars-client.js';
export type { components, operations, paths } from '../../generated/cars.js';
