/** The contract run's side channel: Dredd's hooks arm store faults and report what they exercised. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CAR_STORE_METHODS, FAULT_KINDS, type CarStoreMethod, type Fault, type FaultyStore } from './faulty-store.js';

/** What the hooks report after each transaction. */
export interface ExercisedResponse {
  /** `METHOD path-template status`, as documented, e.g. `GET /cars/{carId} 404`. */
  key: string;
  /** The status the server really answered; absent when no request was sent. */
  actual?: number;
  /** Dredd's verdict for the transaction: pass, fail or skip. */
  result?: string;
  /** Why the target cannot produce this response (a deployed instance has no store faults, say); the transaction was skipped. */
  notExercisable?: string;
  /** The response headers Dredd required the answer to carry (from the spec), as it names them. */
  expectedHeaders?: string[];
}

/** A running control server. */
export interface ControlServer {
  readonly url: string;
  /** Every report received, in order. */
  readonly exercised: readonly ExercisedResponse[];
  close(): Promise<void>;
}

const MAX_REPORT_BYTES = 64 * 1024;

/**
 * Serves, on a loopback ephemeral port (the `/arm` routes only when given `faults`):
 * `POST /arm` (the next car store call fails, as the optional JSON {@link Fault} body says, by default
 * `{"kind":"internal"}`; 204), `DELETE /arm` (cancel that; 200 `{"fired": boolean}`), and
 * `POST /exercised` (record an {@link ExercisedResponse}; 204).
 */
export async function startControlServer({ faults }: { faults?: FaultyStore } = {}): Promise<ControlServer> {
  const exercised: ExercisedResponse[] = [];

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_REPORT_BYTES) chunks.push(chunk);
    });
    req.on('end', () => {
      const answer = (status: number, message?: string) => {
        res.writeHead(status, message ? { 'Content-Type': 'text/plain' } : {});
        res.end(message);
      };
      const route = `${req.method} ${req.url}`;
      if (!faults && route.endsWith(' /arm')) return answer(404, 'this run injects no store faults');
      if (faults && route === 'POST /arm') {
        try {
          faults.arm(parseFault(Buffer.concat(chunks).toString('utf8')));
          return answer(204);
        } catch (err) {
          return answer(400, `bad fault: ${(err as Error).message}`);
        }
      }
      if (faults && route === 'DELETE /arm') {
        // Tells the hook whether the fault fired, i.e. whether the request really reached the store.
        const fired = !faults.armed;
        faults.disarm();
        res.writeHead(200, { 'Content-Type': 'application/json' });
        return res.end(JSON.stringify({ fired }));
      }
      if (route === 'POST /exercised') {
        try {
          const report = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ExercisedResponse;
          if (typeof report.key !== 'string') throw new Error('key must be a string');
          exercised.push(report);
          return answer(204);
        } catch (err) {
          return answer(400, `bad report: ${(err as Error).message}`);
        }
      }
      return answer(404, `no control route ${route}`);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    exercised,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** Reads the body of `POST /arm`: empty for an internal fault on any car call, or a JSON {@link Fault}. */
function parseFault(text: string): Fault {
  if (text.trim() === '') return { kind: 'internal' };
  const body = JSON.parse(text) as { kind?: unknown; retryAfterSeconds?: unknown; on?: unknown };
  if (!(FAULT_KINDS as readonly unknown[]).includes(body.kind)) {
    throw new Error(`kind must be one of ${FAULT_KINDS.join(', ')}, got ${JSON.stringify(body.kind)}`);
  }
  const on = parseMethods(body.on);
  const target = on ? { on } : {};
  if (body.kind === 'internal') return { kind: 'internal', ...target };
  const seconds = body.retryAfterSeconds ?? 1;
  if (typeof seconds !== 'number' || !Number.isSafeInteger(seconds) || seconds < 0) {
    throw new Error(`retryAfterSeconds must be a whole number of seconds, got ${JSON.stringify(seconds)}`);
  }
  return { kind: 'unavailable', retryAfterSeconds: seconds, ...target };
}

/** Reads a fault's `on`: absent, or a non-empty list of CarStore method names. */
function parseMethods(on: unknown): CarStoreMethod[] | undefined {
  if (on === undefined) return undefined;
  const known = CAR_STORE_METHODS as readonly unknown[];
  if (!Array.isArray(on) || on.length === 0 || !on.every((m) => known.includes(m))) {
    throw new Error(`on must be a non-empty list of ${CAR_STORE_METHODS.join(', ')}, got ${JSON.stringify(on)}`);
  }
  return on as CarStoreMethod[];
}
