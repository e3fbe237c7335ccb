/** How cars are printed: a plain column table for people, JSON with `--json`. */
import type { components } from '../client/index.js';
import type { CommandContext } from './command.js';

type Car = components['schemas']['Car'];

const COLUMNS = [
  { title: 'ID', cell: (car: Car) => String(car.id) },
  { title: 'MODEL', cell: (car: Car) => car.model },
  { title: 'COLOR', cell: (car: Car) => car.color },
] as const;

/** Formats cars as space-padded columns under a header row, one car per line. */
export function formatTable(cars: readonly Car[]): string {
  const rows = [COLUMNS.map((c) => c.title), ...cars.map((car) => COLUMNS.map((c) => c.cell(car)))];
  const widths = COLUMNS.map((_, i) => Math.max(...rows.map((row) => [...(row[i] ?? '')].length)));
  const pad = (text: string, i: number) => text + ' '.repeat((widths[i] ?? 0) - [...text].length);
  // The last column is not padded, so lines carry no trailing spaces.
  return rows.map((row) => row.map((text, i) => (i === row.length - 1 ? text : pad(text, i))).join('  ')).join('\n') + '\n';
}

/** Prints a list of cars. */
export function printCars(ctx: CommandContext, cars: readonly Car[]): void {
  if (ctx.json) ctx.stdout.write(`${JSON.stringify(cars)}\n`);
  else if (cars.length === 0) ctx.stdout.write('No cars.\n');
  else ctx.stdout.write(formatTable(cars));
}

/** Prints one car; for people, after a line such as `Created car 3.` and followed by its ETag. */
export function printCar(ctx: CommandContext, car: Car, { note, etag }: { note?: string; etag?: string | null } = {}): void {
  if (ctx.json) {
    ctx.stdout.write(`${JSON.stringify(car)}\n`);
    return;
  }
  if (note !== undefined) ctx.stdout.write(`${note}\n`);
  ctx.stdout.write(formatTable([car]));
  if (etag) ctx.stdout.write(`ETag: ${etag}\n`);
}
