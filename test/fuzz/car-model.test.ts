import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import type { Answer } from '../support/server.js';
import { curl, type HttpRequest } from './curl.js';
import { fuzzParameters } from './fuzz-config.js';
import { fuzzTargetConfig, openFuzzTarget, type FuzzTarget } from './fuzz-target.js';
import { schemaArbitraries } from './schema-arbitraries.js';
import { operation, specOperations, type FuzzOperation } from './spec-operations.js';

/** A car as the API returns it. */
type Car = Record<string, unknown> & { id: number };

/** What the server should hold: each car and the ETag of its last write. */
interface Model {
  cars: Map<number, { car: Car; etag: string }>;
}

/** The system under test, and the requests sent in this run (to print when a step fails). */
interface Real {
  server: FuzzTarget;
  sent: HttpRequest[];
}

/** Which If-Match (or If-None-Match) a conditional command sends: none, the car's current tag, or one that never was. */
type Condition = 'none' | 'current' | 'stale';
const STALE_ETAG = '"never-issued"';

describe('the cars resource against an in-memory model', () => {
  let server: FuzzTarget;
  let ops: Record<'create' | 'get' | 'replace' | 'update' | 'remove' | 'list', FuzzOperation>;
  let listLimit: number;
  before(async () => {
    server = await openFuzzTarget();
    const all = await specOperations();
    ops = {
      create: operation(all, 'createCar'),
      get: operation(all, 'getCar'),
      replace: operation(all, 'replaceCar'),
      update: operation(all, 'updateCar'),
      remove: operation(all, 'deleteCar'),
      list: operation(all, 'listCars'),
    };
    const limit = ops.list.parameters.find((p) => p.name === 'limit');
    listLimit = typeof limit?.schema.maximum === 'number' ? limit.schema.maximum : 100;
  });
  after(() => server.close());

  const carPath = (op: FuzzOperation, id: number) => op.path.replace(/\{[^}]*\}/, String(id));

  /** Sends through the harness (status and body checked against the spec) and records the request. */
  async function send(real: Real, request: HttpRequest): Promise<Answer> {
    real.sent.push(request);
    try {
      return await real.server.request(request.method, request.path, { headers: { ...request.headers }, ...(request.body !== undefined ? { body: request.body } : {}) });
    } catch (error) {
      (error as Error).message += reproduction(real);
      throw error;
    }
  }

  function reproduction(real: Real): string {
    return `\nreproduce on an empty store with:\n${real.sent.map((r) => `  ${curl(r)}`).join('\n')}`;
  }

  /** The server agrees with the model about one car: same body and ETag, or 404. */
  async function agree(model: Model, real: Real, id: number): Promise<void> {
    const answer = await send(real, { method: 'GET', path: carPath(ops.get, id), headers: {} });
    const expected = model.cars.get(id);
    const where = reproduction(real);
    if (expected === undefined) {
      assert.equal(answer.status, 404, `car ${id} should be absent${where}`);
      return;
    }
    assert.equal(answer.status, 200, `car ${id} should exist${where}`);
    assert.deepEqual(answer.json, expected.car, `car ${id} differs from the model${where}`);
    assert.equal(answer.headers.get('etag'), expected.etag, `car ${id}'s ETag is not the one its last write answered${where}`);
  }

  /** A target with REQUIRE_IF_MATCH answers an unconditional write to an existing car with 428. */
  function mustBeConditional(before: unknown, headers: Record<string, string>): boolean {
    return server.requiresIfMatch && before !== undefined && !('If-Match' in headers);
  }

  function ifMatch(model: Model, id: number, condition: Condition, header = 'If-Match'): Record<string, string> {
    const current = model.cars.get(id)?.etag;
    if (condition === 'current' && current !== undefined) return { [header]: current };
    if (condition === 'stale') return { [header]: STALE_ETAG };
    return {};
  }

  /** Base class: each command prints as the curl it sent, so a shrunk counterexample reads as a script. */
  abstract class CarCommand implements fc.AsyncCommand<Model, Real> {
    protected request?: HttpRequest;
    check(): boolean {
      return true;
    }
    abstract run(model: Model, real: Real): Promise<void>;
    protected abstract describe(): string;
    toString(): string {
      return this.request ? curl(this.request) : this.describe();
    }
    protected async send(real: Real, request: HttpRequest): Promise<Answer> {
      this.request = request;
      return send(real, request);
    }
  }

  class CreateCar extends CarCommand {
    constructor(readonly body: Record<string, unknown>) {
      super();
    }
    describe() {
      return `create ${JSON.stringify(this.body)}`;
    }
    async run(model: Model, real: Real) {
      const id = this.body.id as number | undefined;
      const answer = await this.send(real, { method: 'POST', path: ops.create.path, headers: { 'Content-Type': ops.create.body?.mediaType ?? 'application/json' }, body: JSON.stringify(this.body) });
      const where = reproduction(real);
      if (id !== undefined && model.cars.has(id)) {
        assert.equal(answer.status, 409, `a second car ${id}${where}`);
      } else {
        assert.equal(answer.status, 201, `create${where}`);
        const car = answer.json as Car;
        if (id === undefined) assert.ok(!model.cars.has(car.id), `the server picked id ${car.id}, which is taken${where}`);
        assert.deepEqual(car, { ...this.body, id: car.id }, where);
        assert.equal(answer.headers.get('location'), carPath(ops.get, car.id), where);
        model.cars.set(car.id, { car, etag: answer.headers.get('etag') ?? '' });
      }
      await agree(model, real, id ?? (answer.json as Car).id);
    }
  }

  class GetCar extends CarCommand {
    constructor(readonly id: number, readonly condition: Condition) {
      super();
    }
    describe() {
      return `get ${this.id} (${this.condition})`;
    }
    async run(model: Model, real: Real) {
      const headers = ifMatch(model, this.id, this.condition, 'If-None-Match');
      const answer = await this.send(real, { method: 'GET', path: carPath(ops.get, this.id), headers });
      const expected = model.cars.get(this.id);
      const where = reproduction(real);
      if (expected === undefined) assert.equal(answer.status, 404, where);
      else if (headers['If-None-Match'] === expected.etag) assert.equal(answer.status, 304, where);
      else {
        assert.equal(answer.status, 200, where);
        assert.deepEqual(answer.json, expected.car, where);
      }
    }
  }

  class ReplaceCar extends CarCommand {
    constructor(readonly id: number, readonly body: Record<string, unknown>, readonly condition: Condition) {
      super();
    }
    describe() {
      return `replace ${this.id} with ${JSON.stringify(this.body)} (${this.condition})`;
    }
    async run(model: Model, real: Real) {
      const before = model.cars.get(this.id);
      const headers = { 'Content-Type': ops.replace.body?.mediaType ?? 'application/json', ...ifMatch(model, this.id, this.condition) };
      const answer = await this.send(real, { method: 'PUT', path: carPath(ops.replace, this.id), headers, body: JSON.stringify(this.body) });
      const where = reproduction(real);
      if ('If-Match' in headers && headers['If-Match'] !== before?.etag) {
        assert.equal(answer.status, 412, `a PUT with a stale If-Match${where}`);
      } else if (mustBeConditional(before, headers)) {
        assert.equal(answer.status, 428, `an unconditional PUT to an existing car, where If-Match is required${where}`);
      } else {
        assert.equal(answer.status, before ? 200 : 201, where);
        const car = { ...this.body, id: this.id };
        assert.deepEqual(answer.json, car, where);
        const etag = answer.headers.get('etag') ?? '';
        if (before) assert.notEqual(etag, before.etag, `the ETag must change on every write${where}`);
        model.cars.set(this.id, { car, etag });
      }
      await agree(model, real, this.id);
    }
  }

  class UpdateCar extends CarCommand {
    constructor(readonly id: number, readonly patch: Record<string, unknown>, readonly condition: Condition) {
      super();
    }
    describe() {
      return `patch ${this.id} with ${JSON.stringify(this.patch)} (${this.condition})`;
    }
    async run(model: Model, real: Real) {
      const before = model.cars.get(this.id);
      const headers = { 'Content-Type': ops.update.body?.mediaType ?? 'application/merge-patch+json', ...ifMatch(model, this.id, this.condition) };
      const answer = await this.send(real, { method: 'PATCH', path: carPath(ops.update, this.id), headers, body: JSON.stringify(this.patch) });
      const where = reproduction(real);
      if (before === undefined) {
        // RFC 9110 §13.1.1 would also allow 412 for If-Match on a missing car; this API answers 404 first.
        assert.equal(answer.status, 404, where);
      } else if ('If-Match' in headers && headers['If-Match'] !== before.etag) {
        assert.equal(answer.status, 412, `a PATCH with a stale If-Match${where}`);
      } else if (mustBeConditional(before, headers)) {
        assert.equal(answer.status, 428, `an unconditional PATCH, where If-Match is required${where}`);
      } else {
        assert.equal(answer.status, 200, where);
        const car = { ...before.car, ...this.patch, id: this.id };
        assert.deepEqual(answer.json, car, where);
        const etag = answer.headers.get('etag') ?? '';
        assert.notEqual(etag, before.etag, `the ETag must change on every write${where}`);
        model.cars.set(this.id, { car, etag });
      }
      await agree(model, real, this.id);
    }
  }

  class DeleteCar extends CarCommand {
    constructor(readonly id: number, readonly condition: Condition) {
      super();
    }
    describe() {
      return `delete ${this.id} (${this.condition})`;
    }
    async run(model: Model, real: Real) {
      const before = model.cars.get(this.id);
      const headers = ifMatch(model, this.id, this.condition);
      const answer = await this.send(real, { method: 'DELETE', path: carPath(ops.remove, this.id), headers });
      const where = reproduction(real);
      if (before === undefined) assert.equal(answer.status, 404, where);
      else if ('If-Match' in headers && headers['If-Match'] !== before.etag) assert.equal(answer.status, 412, where);
      else if (mustBeConditional(before, headers)) assert.equal(answer.status, 428, where);
      else {
        assert.equal(answer.status, 204, where);
        model.cars.delete(this.id);
      }
      await agree(model, real, this.id);
    }
  }

  class ListCars extends CarCommand {
    describe() {
      return 'list';
    }
    async run(model: Model, real: Real) {
      const answer = await this.send(real, { method: 'GET', path: `${ops.list.path}?limit=${listLimit}`, headers: {} });
      const expected = [...model.cars.values()].map((entry) => entry.car).sort((a, b) => a.id - b.id);
      assert.equal(answer.status, 200, reproduction(real));
      assert.deepEqual(answer.json, expected, `the list differs from the model${reproduction(real)}`);
    }
  }

  // Against a deployed instance: no writes with --read-only; otherwise only its reserved ids, and no
  // list, whose pages hold other clients' cars.
  const readOnly = fuzzTargetConfig()?.readOnly === true;
  it('agrees with the model after every step of random create, get, replace, patch, delete and list sequences', { skip: readOnly && 'it writes, and --read-only sends only GET, HEAD and OPTIONS' }, async () => {
    const values = schemaArbitraries();
    // A few ids, so that commands meet the same cars again; against an instance, the ones it reserved.
    const reserved = server.reserved;
    const id = fc.integer({ min: 1, max: 5 }).map((i) => (reserved ? reserved[(i - 1) % reserved.length] ?? i : i));
    const condition = fc.constantFrom<Condition>('none', 'none', 'current', 'stale');
    /** A body from the operation's own schema; `id`, when the schema draws one, is the car's. */
    const bodyOf = (op: FuzzOperation, carId: fc.Arbitrary<number | undefined>) =>
      fc.tuple(values.valid(op.body?.schema ?? {}, 'json') as fc.Arbitrary<Record<string, unknown>>, carId).map(([body, chosen]) => {
        const { id: _drawn, ...rest } = body;
        // On an instance every create names its id (see below), even where the schema drew none.
        const named = 'id' in body || (server.remote && op === ops.create);
        return named && chosen !== undefined ? { ...rest, id: chosen } : rest;
      });
    const commands = fc.commands(
      [
        // A server-assigned id could be lost track of on an instance: there, every create names one.
        bodyOf(ops.create, server.remote ? id : fc.option(id, { nil: undefined })).map((body) => new CreateCar(body)),
        fc.tuple(id, condition).map(([i, c]) => new GetCar(i, c)),
        fc.tuple(id, condition).chain(([i, c]) => bodyOf(ops.replace, fc.constant(i)).map((body) => new ReplaceCar(i, body, c))),
        fc.tuple(id, condition).chain(([i, c]) => bodyOf(ops.update, fc.constant(i)).map((patch) => new UpdateCar(i, patch, c))),
        fc.tuple(id, condition).map(([i, c]) => new DeleteCar(i, c)),
        ...(server.remote ? [] : [fc.constant(new ListCars())]),
      ],
      { maxCommands: 12 },
    );

    await fc.assert(
      fc.asyncProperty(commands, async (cmds) => {
        const setup = async () => {
          if (reserved) await deleteCars(server, reserved, (carId) => carPath(ops.remove, carId));
          else await emptyStore(server, ops.list.path, listLimit, (carId) => carPath(ops.remove, carId));
          return { model: { cars: new Map() } as Model, real: { server, sent: [] } as Real };
        };
        await fc.asyncModelRun(setup, cmds);
      }),
      fuzzParameters(0.1),
    );
  });
});

/** Deletes these cars when they exist (with their ETag, so that a target requiring If-Match accepts it). */
async function deleteCars(server: FuzzTarget, ids: readonly number[], carPath: (id: number) => string): Promise<void> {
  for (const id of ids) {
    const found = await server.request('GET', carPath(id));
    if (found.status === 404) continue;
    const removed = await server.request('DELETE', carPath(id), { headers: { 'If-Match': found.headers.get('etag') ?? '' } });
    assert.equal(removed.status, 204);
  }
}

/** Deletes every car through the API, so that each run starts from the empty store the model starts from. */
async function emptyStore(server: FuzzTarget, listPath: string, limit: number, carPath: (id: number) => string): Promise<void> {
  const list = await server.request('GET', `${listPath}?limit=${limit}`);
  assert.equal(list.status, 200);
  for (const car of list.json as Car[]) {
    const removed = await server.request('DELETE', carPath(car.id));
    assert.equal(removed.status, 204);
  }
}
