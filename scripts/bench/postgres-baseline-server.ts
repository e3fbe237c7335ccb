/**
 * The PostgreSQL bench's "limit": bare node:http over a pg pool, sending the statements the store
 * sends for the bench's requests (the same text, named and prepared alike), with no framework.
 * Run as its own process:
 * `node --import tsx scripts/bench/postgres-baseline-server.ts --port P --database-url URL --pool-max N`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { parseArgs } from 'node:util';
import pg from 'pg';
import type { Car } from '../../src/types.js';
import { readJson } from './read-json.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    host: { type: 'string', default: '127.0.0.1' },
    'database-url': { type: 'string' },
    'pool-max': { type: 'string', default: '10' },
  },
});
if (!values['database-url']) throw new Error('--database-url is required');

// BIGINT as a JS number, as the store's pool reads it.
const INT8_OID = 20;
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary' ? Number : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};
const pool = new pg.Pool({ connectionString: values['database-url'], max: Number(values['pool-max']), types });

// The texts of src/store/postgres-store.ts's SQL.get, SQL.upsert and SQL.insert: what the store sends
// for one request alone. (Under concurrent load the store also sends SQL.getMany and SQL.upsertMany,
// each carrying the requests of one event-loop turn; a bare server has no such thing.)
const COLUMNS = 'id, model, color, revision';
const GET = { name: 'bench_get', text: `SELECT ${COLUMNS} FROM cars WHERE id = $1` };
const UPSERT = {
  name: 'bench_upsert',
  text: `INSERT INTO cars (id, model, color, model_key, color_key, revision)
           VALUES ($1, $2, $3, $4, $5, nextval('car_revision'))
           ON CONFLICT (id) DO UPDATE SET model = EXCLUDED.model, color = EXCLUDED.color,
             model_key = EXCLUDED.model_key, color_key = EXCLUDED.color_key, revision = EXCLUDED.revision
           RETURNING ${COLUMNS}, (xmax = 0) AS inserted`,
};
const INSERT = {
  name: 'bench_insert',
  text: `INSERT INTO cars (id, model, color, model_key, color_key, revision)
           VALUES ($1, $2, $3, $4, $5, nextval('car_revision'))
           ON CONFLICT (id) DO NOTHING RETURNING ${COLUMNS}`,
};

interface CarRow extends Car {
  revision: number;
  inserted?: boolean;
}

function send(res: ServerResponse, status: number, body?: unknown): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json');
  res.end(JSON.stringify(body));
}

const carValues = (id: number, car: Car) => [id, car.model, car.color, car.model.toLowerCase(), car.color.toLowerCase()];
const present = (row: CarRow): Car => ({ id: row.id, model: row.model, color: row.color });

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = req.url ?? '/';
  if (path === '/healthz') return send(res, 200, { status: 'ok' });
  if (path === '/cars' && req.method === 'POST') {
    const body = await readJson(req);
    const [row] = (await pool.query<CarRow>({ ...INSERT, values: carValues(body.id, body) })).rows;
    return row ? send(res, 201, present(row)) : send(res, 409, { title: 'Conflict' });
  }
  if (path.startsWith('/cars/')) {
    const id = Number(path.slice('/cars/'.length));
    if (req.method === 'GET') {
      const [row] = (await pool.query<CarRow>({ ...GET, values: [id] })).rows;
      return row ? send(res, 200, present(row)) : send(res, 404, { title: 'Not Found' });
    }
    if (req.method === 'PUT') {
      const body = await readJson(req);
      const [row] = (await pool.query<CarRow>({ ...UPSERT, values: carValues(id, body) })).rows;
      if (!row) throw new Error('the upsert returned no row');
      return send(res, row.inserted ? 201 : 200, present(row));
    }
  }
  send(res, 404, { title: 'Not Found' });
}

const server = createServer((req, res) => {
  handle(req, res).catch(() => send(res, 500, { title: 'Internal Server Error' }));
});
server.keepAliveTimeout = 5_000;
server.listen(Number(values.port ?? 0), values.host, () => {
  const address = server.address();
  process.stdout.write(`${JSON.stringify({ msg: 'listening', port: typeof address === 'object' && address ? address.port : 0 })}\n`);
});
process.once('SIGTERM', () => server.close(() => void pool.end().then(() => process.exit(0))));
