/** The commands that read or write cars one request at a time: list, get, add, update, patch, delete. */
import { CarsApiError, type ListCarsQuery, type components } from '../client/index.js';
import { positiveInteger, requiredOption, stringOption, type OptionValues } from './cli-args.js';
import { UsageError } from './cli-errors.js';
import type { Command, CommandContext } from './command.js';
import { printCar, printCars } from './car-output.js';

type Problem = components['schemas']['Problem'];
type Car = components['schemas']['Car'];

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

/** The flags naming a car's fields, and the flag of a conditional write. */
const CAR_FIELD_OPTIONS = { model: { type: 'string' }, color: { type: 'string' } } as const;
const IF_MATCH_OPTION = { 'if-match': { type: 'string' } } as const;

/** `--model` and `--color`, each only when given (a filter for list, the fields of a patch). */
function carFields(values: OptionValues): { model?: string; color?: string } {
  const model = stringOption(values, 'model');
  const color = stringOption(values, 'color');
  return { ...(model !== undefined && { model }), ...(color !== undefined && { color }) };
}

/** Prints the car a call answered with and its ETag, after `note(car)`; the exit code. */
function printAnswer(
  ctx: CommandContext,
  result: { data?: Car; error?: unknown; response: Response },
  note?: (car: Car) => string,
): number {
  const car = expectData(result);
  printCar(ctx, car, { ...(note && { note: note(car) }), etag: result.response.headers.get('ETag') });
  return 0;
}

/** `cars list`: one page, or every page with `--all`. */
export const listCommand: Command = {
  name: 'list',
  summary: 'list cars as a table (one page, or every page with --all)',
  synopsis: '[--model M] [--color C] [--sort=KEYS (e.g. --sort=model,-id)] [--limit N] [--all]',
  arguments: [],
  options: { ...CAR_FIELD_OPTIONS, sort: { type: 'string' }, limit: { type: 'string' }, all: { type: 'boolean' } },
  async run(ctx, { values }) {
    const query: ListCarsQuery = carFields(values);
    const sort = stringOption(values, 'sort');
    const limit = stringOption(values, 'limit');
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
    return printAnswer(ctx, await ctx.client.GET('/cars/{carId}', { params: { path: { carId: id } } }));
  },
};

/** `cars add`: POST a new car, with a chosen id or the next free one. */
export const addCommand: Command = {
  name: 'add',
  summary: 'add a car (the server picks the id unless --id is given)',
  synopsis: '--model M --color C [--id N]',
  arguments: [],
  options: { ...CAR_FIELD_OPTIONS, id: { type: 'string' } },
  async run(ctx, { values }) {
    const body: components['schemas']['CarCreate'] = {
      model: requiredOption(values, 'model'),
      color: requiredOption(values, 'color'),
    };
    const id = stringOption(values, 'id');
    if (id !== undefined) body.id = positiveInteger(id, '--id');
    return printAnswer(ctx, await ctx.client.POST('/cars', { body }), (car) => `Created car ${car.id}.`);
  },
};

/** `cars update <id>`: PUT, which replaces the car or creates it. */
export const updateCommand: Command = {
  name: 'update',
  summary: 'replace a car (PUT; creates it when absent)',
  synopsis: '<id> --model M --color C [--if-match ETAG]',
  arguments: ['id'],
  options: { ...CAR_FIELD_OPTIONS, ...IF_MATCH_OPTION },
  async run(ctx, { values, positionals }) {
    const id = carId(positionals);
    const body = { model: requiredOption(values, 'model'), color: requiredOption(values, 'color') };
    const result = await ctx.client.PUT('/cars/{carId}', {
      params: { path: { carId: id }, header: ifMatchHeader(values) },
      body,
    });
    const created = result.response.status === 201;
    return printAnswer(ctx, result, (car) => `${created ? 'Created' : 'Replaced'} car ${car.id}.`);
  },
};

/** `cars patch <id>`: a JSON Merge Patch of the given fields. */
export const patchCommand: Command = {
  name: 'patch',
  summary: 'change some fields of a car (JSON Merge Patch)',
  synopsis: '<id> [--model M] [--color C] [--if-match ETAG]',
  arguments: ['id'],
  options: { ...CAR_FIELD_OPTIONS, ...IF_MATCH_OPTION },
  async run(ctx, { values, positionals }) {
    const id = carId(positionals);
    const patch: components['schemas']['CarPatch'] = carFields(values);
    if (patch.model === undefined && patch.color === undefined) throw new UsageError('patch needs --model, --color or both');
    const ifMatch = stringOption(values, 'if-match');
    const result = await ctx.client.patchCar(id, patch, ifMatch === undefined ? {} : { ifMatch });
    return printAnswer(ctx, result, (car) => `Patched car ${car.id}.`);
  },
};

/** `cars delete <id>`. */
export const deleteCommand: Command = {
  name: 'delete',
  summary: 'delete a car',
  synopsis: '<id> [--if-match ETAG]',
  arguments: ['id'],
  options: IF_MATCH_OPTION,
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
