/** The commands that read or write cars one request at a time: list, get, add, update, patch, delete. */
import { CarsApiError, type ListCarsQuery, type components } from '../client/index.js';
import { positiveInteger, requiredOption, stringOption, type OptionValues } from './cli-args.js';
import { UsageError } from './cli-errors.js';
import type { Command } from './command.js';
import { printCar, printCars } from './car-output.js';

type Problem = components['schemas']['Problem'];

/** The data of a successful call, or a `CarsApiError` carrying the server's problem. */
function expectData<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.error !== undefined || result.data === undefined) {
    throw new CarsApiError(result.response.status, result.error as Problem | undefined);
  }
  return result.data;
}

/** `If-Match` as a header object, when `--if-match` is given. */
const ifMatchHeader = (values: OptionValues) => {
  const ifMatch = stringOption(values, 'if-match');
  return ifMatch === undefined ? {} : { 'If-Match': ifMatch };
};

const carId = (positionals: readonly string[]) => positiveInteger(positionals[0] ?? '', 'the car id');

/** `cars list`: one page, or every page with `--all`. */
export const listCommand: Command = {
  name: 'list',
  summary: 'list cars as a table (one page, or every page with --all)',
  synopsis: '[--model M] [--color C] [--sort=KEYS (e.g. --sort=model,-id)] [--limit N] [--all]',
  arguments: [],
  options: {
    model: { type: 'string' },
    color: { type: 'string' },
    sort: { type: 'string' },
    limit: { type: 'string' },
    all: { type: 'boolean' },
  },
  async run(ctx, { values }) {
    const query: ListCarsQuery = {};
    const model = stringOption(values, 'model');
    const color = stringOption(values, 'color');
    const sort = stringOption(values, 'sort');
    const limit = stringOption(values, 'limit');
    if (model !== undefined) query.model = model;
    if (color !== undefined) query.color = color;
    if (sort !== undefined) query.sort = sort;
    if (limit !== undefined) query.limit = positiveInteger(limit, '--limit');

    if (values.all === true) {
      // With --all, --limit is the page size; the largest page the API allows makes the fewest requests.
      const cars = [];
      for await (const car of ctx.client.listAll({ limit: 1000, ...query })) cars.push(car);
      printCars(ctx, cars);
      return 0;
    }
    const result = await ctx.client.GET('/cars', { params: { query } });
    const cars = expectData(result);
    printCars(ctx, cars);
    if (!ctx.json && result.response.headers.get('Link')?.includes('rel="next"')) {
      ctx.stderr.write('More cars follow; add --all to list every page.\n');
    }
    return 0;
  },
};

/** `cars get <id>`. */
export const getCommand: Command = {
  name: 'get',
  summary: 'show one car and its ETag',
  synopsis: '<id>',
  arguments: ['id'],
  options: {},
  async run(ctx, { positionals }) {
    const id = carId(positionals);
    const result = await ctx.client.GET('/cars/{carId}', { params: { path: { carId: id } } });
    printCar(ctx, expectData(result), { etag: result.response.headers.get('ETag') });
    return 0;
  },
};

/** `cars add`: POST a new car, with a chosen id or the next free one. */
export const addCommand: Command = {
  name: 'add',
  summary: 'add a car (the server picks the id unless --id is given)',
  synopsis: '--model M --color C [--id N]',
  arguments: [],
  options: { model: { type: 'string' }, color: { type: 'string' }, id: { type: 'string' } },
  async run(ctx, { values }) {
    const body: components['schemas']['CarCreate'] = {
      model: requiredOption(values, 'model'),
      color: requiredOption(values, 'color'),
    };
    const id = stringOption(values, 'id');
    if (id !== undefined) body.id = positiveInteger(id, '--id');
    const result = await ctx.client.POST('/cars', { body });
    const car = expectData(result);
    printCar(ctx, car, { note: `Created car ${car.id}.`, etag: result.response.headers.get('ETag') });
    return 0;
  },
};

/** `cars update <id>`: PUT, which replaces the car or creates it. */
export const updateCommand: Command = {
  name: 'update',
  summary: 'replace a car (PUT; creates it when absent)',
  synopsis: '<id> --model M --color C [--if-match ETAG]',
  arguments: ['id'],
  options: { model: { type: 'string' }, color: { type: 'string' }, 'if-match': { type: 'string' } },
  async run(ctx, { values, positionals }) {
    const id = carId(positionals);
    const body = { model: requiredOption(values, 'model'), color: requiredOption(values, 'color') };
    const result = await ctx.client.PUT('/cars/{carId}', {
      params: { path: { carId: id }, header: ifMatchHeader(values) },
      body,
    });
    const car = expectData(result);
    const note = result.response.status === 201 ? `Created car ${car.id}.` : `Replaced car ${car.id}.`;
    printCar(ctx, car, { note, etag: result.response.headers.get('ETag') });
    return 0;
  },
};

/** `cars patch <id>`: a JSON Merge Patch of the given fields. */
export const patchCommand: Command = {
  name: 'patch',
  summary: 'change some fields of a car (JSON Merge Patch)',
  synopsis: '<id> [--model M] [--color C] [--if-match ETAG]',
  arguments: ['id'],
  options: { model: { type: 'string' }, color: { type: 'string' }, 'if-match': { type: 'string' } },
  async run(ctx, { values, positionals }) {
    const id = carId(positionals);
    const patch: components['schemas']['CarPatch'] = {};
    const model = stringOption(values, 'model');
    const color = stringOption(values, 'color');
    if (model !== undefined) patch.model = model;
    if (color !== undefined) patch.color = color;
    if (model === undefined && color === undefined) throw new UsageError('patch needs --model, --color or both');
    const ifMatch = stringOption(values, 'if-match');
    const result = await ctx.client.patchCar(id, patch, ifMatch === undefined ? {} : { ifMatch });
    const car = expectData(result) as components['schemas']['Car'];
    printCar(ctx, car, { note: `Patched car ${car.id}.`, etag: result.response.headers.get('ETag') });
    return 0;
  },
};

/** `cars delete <id>`. */
export const deleteCommand: Command = {
  name: 'delete',
  summary: 'delete a car',
  synopsis: '<id> [--if-match ETAG]',
  arguments: ['id'],
  options: { 'if-match': { type: 'string' } },
  async run(ctx, { values, positionals }) {
    const id = carId(positionals);
    const result = await ctx.client.DELETE('/cars/{carId}', {
      params: { path: { carId: id }, header: ifMatchHeader(values) },
    });
    if (!result.response.ok) throw new CarsApiError(result.response.status, result.error as Problem | undefined);
    if (!ctx.json) ctx.stdout.write(`Deleted car ${id}.\n`);
    return 0;
  },
};
