/** What a load run sends. scripts/bench/wrk.lua builds the same requests for wrk. */
import { WRITE_FIELDS } from './cars.js';

/** One kind of traffic. Ids for GET and PUT are uniform in 1..maxId; POST ids count up from idBase. */
export type Workload =
  | { kind: 'get-id'; maxId: number }
  | { kind: 'list'; limit: number }
  | { kind: 'put'; maxId: number }
  | { kind: 'post'; idBase: number }
  /** The RSS soak: per 10 requests, 6 GET by id, 2 lists, 1 PUT and 1 POST. */
  | { kind: 'mixed'; maxId: number; limit: number; idBase: number };

/** One request as a load generator sends it. */
export interface BenchRequest {
  method: 'GET' | 'PUT' | 'POST';
  path: string;
  body?: string;
}

/** The request line a report shows for a workload. */
export function describe(workload: Workload): string {
  switch (workload.kind) {
    case 'get-id':
      return 'GET /cars/{id}';
    case 'list':
      return `GET /cars?limit=${workload.limit}`;
    case 'put':
      return 'PUT /cars/{id}';
    case 'post':
      return 'POST /cars';
    case 'mixed':
      return 'mixed 6:2:1:1 GET id, list, PUT, POST';
  }
}

const writeBody = (id: number) => JSON.stringify({ id, ...WRITE_FIELDS });

/** A generator of the workload's requests, in the order wrk.lua sends them. */
export function requestGenerator(workload: Workload): () => BenchRequest {
  const randomId = (maxId: number) => 1 + Math.floor(Math.random() * maxId);
  let nextId = 'idBase' in workload ? workload.idBase : 0;
  const getId = (maxId: number): BenchRequest => ({ method: 'GET', path: `/cars/${randomId(maxId)}` });
  const list = (limit: number): BenchRequest => ({ method: 'GET', path: `/cars?limit=${limit}` });
  const put = (maxId: number): BenchRequest => {
    const id = randomId(maxId);
    return { method: 'PUT', path: `/cars/${id}`, body: writeBody(id) };
  };
  const post = (): BenchRequest => ({ method: 'POST', path: '/cars', body: writeBody(++nextId) });

  switch (workload.kind) {
    case 'get-id':
      return () => getId(workload.maxId);
    case 'list':
      return () => list(workload.limit);
    case 'put':
      return () => put(workload.maxId);
    case 'post':
      return post;
    case 'mixed': {
      let n = 0;
      return () => {
        const slot = n++ % 10;
        if (slot < 6) return getId(workload.maxId);
        if (slot < 8) return list(workload.limit);
        return slot === 8 ? put(workload.maxId) : post();
      };
    }
  }
}
