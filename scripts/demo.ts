/** Replays the tutorial's Python client session against a running server, on the typed client. */
import { createCarsClient } from '../src/client/index.js';

const baseUrl = process.env.CARS_URL ?? 'http://localhost:8080';
const client = createCarsClient({ baseUrl });

function show(step: string, result: { response: Response; data?: unknown; error?: unknown }): void {
  const { response } = result;
  process.stdout.write(`--- ${step}\n`);
  process.stdout.write(`Status code  : ${response.status}\n`);
  process.stdout.write(`Content type : ${response.headers.get('Content-Type') ?? '(none)'}\n`);
  process.stdout.write(`JSON         : ${JSON.stringify(result.data ?? result.error ?? null)}\n\n`);
}

async function main(): Promise<void> {
  show('Adding car 1', await client.POST('/cars', { body: { id: 1, model: 'Honda', color: 'White' } }));
  show('Adding car 2', await client.POST('/cars', { body: { id: 2, model: 'Ford', color: 'Black' } }));
  show('Retrieving all cars', await client.GET('/cars'));
  show('Retrieving car 2', await client.GET('/cars/{carId}', { params: { path: { carId: 2 } } }));
  show(
    'Updating car 1',
    await client.PUT('/cars/{carId}', { params: { path: { carId: 1 } }, body: { id: 1, model: 'New Honda', color: 'New Black' } }),
  );
  show('Retrieving car 1', await client.GET('/cars/{carId}', { params: { path: { carId: 1 } } }));
  show('Deleting car 1', await client.DELETE('/cars/{carId}', { params: { path: { carId: 1 } } }));
  show('Retrieving all cars', await client.GET('/cars'));
}

main().catch((err: unknown) => {
  process.stderr.write(`demo failed: ${err instanceof Error ? err.message : String(err)} (is the server running at ${baseUrl}?)\n`);
  process.exit(1);
});
