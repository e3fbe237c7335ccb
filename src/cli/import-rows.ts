/** Reads the rows of an import file: a JSON array, NDJSON (one object a line) or CSV with an id,model,color header. */
import { extname } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { InputError } from './cli-errors.js';
import { CSV_COLUMNS, type Format } from './file-formats.js';

/** One row to import: where it is in the file, and the body to POST or why it could not be read. */
export type ImportRow = { readonly where: string } & ({ readonly body: unknown } | { readonly error: string });

const EXTENSIONS: Readonly<Record<string, Format>> = {
  '.json': 'json',
  '.ndjson': 'ndjson',
  '.jsonl': 'ndjson',
  '.csv': 'csv',
};

/** The format a file's extension names, if any. */
export function formatOfPath(path: string): Format | undefined {
  return EXTENSIONS[extname(path).toLowerCase()];
}

/** Splits a file's text into rows; a file that cannot be read as a whole throws `InputError`. */
export function parseRows(text: string, format: Format): ImportRow[] {
  switch (format) {
    case 'json':
      return jsonRows(text);
    case 'ndjson':
      return ndjsonRows(text);
    case 'csv':
      return csvRows(text);
  }
}

function jsonRows(text: string): ImportRow[] {
  let items: unknown;
  try {
    items = JSON.parse(text);
  } catch (err) {
    throw new InputError(`the file is not valid JSON: ${(err as Error).message}`);
  }
  if (!Array.isArray(items)) throw new InputError('a JSON import file must hold an array of cars');
  return items.map((body, i) => ({ where: `item ${i + 1}`, body }));
}

function ndjsonRows(text: string): ImportRow[] {
  const rows: ImportRow[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').trim();
    if (line === '') continue;
    const where = `line ${i + 1}`;
    try {
      rows.push({ where, body: JSON.parse(line) });
    } catch (err) {
      // One bad line fails that row only; the others are still imported.
      rows.push({ where, error: `not valid JSON: ${(err as Error).message}` });
    }
  }
  return rows;
}

interface CsvRecord {
  record: string[];
  info: { lines: number };
}

function csvRows(text: string): ImportRow[] {
  let records: CsvRecord[];
  try {
    records = parseCsv(text, {
      info: true,
      bom: true,
      skip_empty_lines: true,
      // Both line endings, even mixed in one file (a file edited on two systems).
      record_delimiter: ['\r\n', '\n'],
    }) as unknown as CsvRecord[];
  } catch (err) {
    throw new InputError(`the file is not valid CSV: ${(err as Error).message}`);
  }
  const [header, ...data] = records;
  if (!header) return [];
  const names = header.record.map((name) => name.trim().toLowerCase());
  const known = new Set<string>(CSV_COLUMNS);
  if (!names.includes('model') || !names.includes('color') || names.some((n) => !known.has(n)) || new Set(names).size !== names.length) {
    throw new InputError(`the CSV header must name the columns model and color, and optionally id; got "${header.record.join(',')}"`);
  }
  return data.map(({ record, info }) => {
    const body: Record<string, unknown> = {};
    names.forEach((name, i) => {
      const value = record[i] ?? '';
      if (name !== 'id') body[name] = value;
      // An empty id lets the server choose; a non-numeric one is sent as text so the server's
      // validation explains what is wrong with it, as it would for any other bad value.
      else if (value !== '') body.id = /^\d+$/.test(value) ? Number(value) : value;
    });
    return { where: `line ${info.lines}`, body };
  });
}
