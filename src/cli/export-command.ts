/** `cars export`: every car, page after page, to stdout as JSON, NDJSON or CSV. */
import { stringify } from 'csv-stringify/sync';
import { choice, stringOption } from './cli-args.js';
import type { Command } from './command.js';
import { CSV_COLUMNS, FORMATS } from './file-formats.js';

/** `cars export [--format json|ndjson|csv]`. */
export const exportCommand: Command = {
  name: 'export',
  summary: 'write every car to stdout (json, ndjson or csv)',
  synopsis: '[--format json|ndjson|csv]',
  arguments: [],
  options: { format: { type: 'string' } },
  async run(ctx, { values }) {
    const format = choice(stringOption(values, 'format') ?? 'json', FORMATS, '--format');
    const out = ctx.stdout;
    // Each car is written as its page arrives, so memory stays flat however many cars there are.
    let count = 0;
    if (format === 'csv') out.write(stringify([[...CSV_COLUMNS]]));
    if (format === 'json') out.write('[');
    for await (const car of ctx.client.listAll({ limit: 1000 })) {
      if (format === 'csv') out.write(stringify([[car.id, car.model, car.color]]));
      else if (format === 'ndjson') out.write(`${JSON.stringify(car)}\n`);
      else out.write(`${count === 0 ? '\n' : ',\n'}${JSON.stringify(car)}`);
      count++;
    }
    if (format === 'json') out.write(count === 0 ? ']\n' : '\n]\n');
    return 0;
  },
};
