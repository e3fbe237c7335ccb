/**
 * The bench's "limit": bare node:http serving the same JSON from a Map, with no framework and no
 * validation. Run as its own process: `node --import tsx scripts/bench/baseline-server.ts --port P --cars N`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { parseArgs } from 'node:util';
import type { Car } from '../../src/types.js';
import { benchCar } from './cars.js';
import { readJson } from './read-json.js';

const { values } = parseArgs({ options: { port: { type: 'string' }, cars: { type: 'string', default: '10000' }, host: { type: 'string', default: '127.0.0.1' } } });
const cars = new Map<number, Car>();
for (let id = 1; id <= Number(values.cars); id++) cars.set(id, benchCar(id));

function send(res: ServerResponse, status: number, body?: unknown, location?: string): void {
  res.statusCode = status;
  if (location) res.setHeader('Location', location);
  if (body === undefined) {
    res.end();
    return;
  }
  res.setHeader('Content-Type', 'application/json');
  res.end(JSON.stringify(body));
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  if (path === '/healthz') return send(res, 200, { status: 'ok' });
  if (path === '/cars') {
    if (req.method === 'GET') {
      const limit = Number(new URLSearchParams(q === -1 ? '' : url.slice(q + 1)).get('limit') ?? 100);
      const page: Car[] = [];
      for (const car of cars.values()) {
        if (page.length >= limit) break;
        page.push(car);
      }
      return send(res, 200, page);
    }
    if (req.method === 'POST') {
      const car = await readJson(req);
      if (cars.has(car.id)) return send(res, 409, { title: 'Conflict' });
      cars.set(car.id, car);
      return send(res, 201, car, `/cars/${car.id}`);
    }
  } else if (path.startsWith('/cars/')) {
    const id = Number(path.slice('/cars/'.length));
    if (req.method === 'GET') {
      const car = cars.get(id);
      return car ? send(res, 200, car) : send(res, 404, { title: 'Not Found' });
    }
    if (req.method === 'PUT') {
      const body = await readJson(req);
      const existed = cars.has(id);
      const car = { id, model: body.model, color: body.color };
      cars.set(id, car);
      return send(res, existed ? 200 : 201, car);
    }
  }
  send(res, 404, { title: 'Not Found' });
}

const server = createServer((req, res) => {
  handle(req, res).catch(() => send(res, 400, { title: 'Bad Request' }));
});
server.keepAliveTimeout = 5_000;
server.listen(Number(values.port ?? 0), values.host, () => {
  const address = server.address();
  process.stdout.write(`${JSON.stringify({ msg: 'listening', port: typeof address === 'object' && address ? address.port : 0 })}\n`);
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
