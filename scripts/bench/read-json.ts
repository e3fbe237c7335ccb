/** The bench baselines' body reader: the whole request body, parsed as JSON, with no limits or checks. */
import type { IncomingMessage } from 'node:http';
import type { Car } from '../../src/types.js';

/** Reads and parses the request body as a car. */
export function readJson(req: IncomingMessage): Promise<Car> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Car);
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
    req.on('error', reject);
  });
}
