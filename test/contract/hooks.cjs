/**
 * Dredd hooks for `npm run test:contract`. CommonJS, because Dredd loads hooks with `require`.
 *
 * Dredd makes one transaction per documented (operation, status), and for every status it
 * replays the operation's example request, with every optional parameter filled in from its
 * example. SETUPS turns each transaction into a request that really earns its status, and puts
 * the server in the state that status needs, whatever order Dredd runs them in. A documented
 * status with no row FAILS the transaction, so a response added to the spec without a way to
 * exercise it is caught here rather than silently skipped.
 */
'use strict';

const hooks = require('hooks');
const { isDeepStrictEqual } = require('node:util');
const { loadContractSpec } = require('./contract-spec.cjs');

/** The control server of test/contract/control-server.ts (arms store faults, collects reports). */
const CONTROL_URL = process.env.CONTRACT_CONTROL_URL;
/** A second app over the same store, built with `requireIfMatch`, for the 428 responses. */
const STRICT_URL = process.env.CONTRACT_STRICT_URL;
/** The spec's body limit, 1 MiB; the runner starts the server with its default. */
const BODY_LIMIT = 1024 * 1024;
/** An id the setups keep free. */
const UNKNOWN_ID = 424242;
/** An entity tag the server never issues. */
const STALE_ETAG = '"contract-test-stale"';
const A_CAR = { model: 'Honda', color: 'White' };
/** The Retry-After an unavailability fault carries; not the default 1, so the 503 check sees it pass through. */
const RETRY_AFTER_SECONDS = 7;
const SETUP_TIMEOUT_MS = 10_000;

// ---------------------------------------------------------------------------------------------
// The table: `METHOD path-template status` -> setup. A setup receives a Scenario (below) and may
// be async. Rows are grouped per operation, in the spec's order.
// ---------------------------------------------------------------------------------------------

/** 405: send a method the path does not document; the server answers with `Allow`. */
const wrongMethod = (s) => {
  const method = ['DELETE', 'POST', 'PUT', 'PATCH'].find((m) => !s.documentedMethods.includes(m));
  if (!method) throw new Error(`every candidate method is documented at ${s.template}`);
  s.send(method);
  s.noBody();
};
/** 413: a well-formed body just over the limit. */
const tooLarge = (s) => s.rawBody(`{"model":"${'x'.repeat(BODY_LIMIT)}","color":"White"}`);
/** 415: the example body, declared as text/plain. */
const notJson = (s) => s.header('Content-Type', 'text/plain');
/** 404: an id no car has. */
const unknownCar = async (s) => {
  await s.noCar(UNKNOWN_ID);
  s.path({ carId: UNKNOWN_ID });
};
/** 400 on a path parameter: not an integer. */
const badId = (s) => s.path({ carId: 'abc' });
/** 500: car 1 exists, then the next store call throws a plain Error. */
const internalFaultOnCar1 = async (s) => {
  await s.car(1);
  await s.fault('internal');
};
/** 503: car 1 exists, then the next store call throws StoreUnavailableError. */
const unavailableOnCar1 = async (s) => {
  await s.car(1);
  await s.fault('unavailable');
};
/** 412: car 1 exists, and the request names a tag it does not have. */
const staleIfMatch = async (s) => {
  await s.car(1);
  s.header('If-Match', STALE_ETAG);
};
/** 428: an unconditional write to an existing car, on the server that requires If-Match. */
const unconditionalOnStrict = async (s) => {
  await s.car(1);
  s.useStrictServer();
};

const SETUPS = {
  'GET /cars 200': async (s) => {
    await s.car(1);
    await s.car(2);
    // Link and X-Total-Count are documented, so Dredd requires both: ask for a page that has a
    // next page, with the total.
    s.query({ limit: 1, total: true });
  },
  'GET /cars 400': (s) => s.query({ colour: 'red' }),
  'GET /cars 405': wrongMethod,
  'GET /cars 500': (s) => s.fault('internal'),
  'GET /cars 503': (s) => s.fault('unavailable'),

  'POST /cars 201': (s) => s.noCar(1),
  'POST /cars 400': (s) => s.json({ id: 1, model: '', color: 'White' }),
  'POST /cars 405': wrongMethod,
  'POST /cars 409': (s) => s.car(1),
  'POST /cars 413': tooLarge,
  'POST /cars 415': notJson,
  'POST /cars 422': async (s) => {
    const key = `contract-422-${Date.now()}`;
    await s.noCar(1);
    await s.expect('POST', '/cars', [201], { id: 1, ...A_CAR }, { 'Idempotency-Key': key });
    s.header('Idempotency-Key', key);
    s.json({ model: 'Ford', color: 'Black' });
  },
  'POST /cars 500': async (s) => {
    await s.noCar(1);
    await s.fault('internal');
  },
  'POST /cars 503': async (s) => {
    await s.noCar(1);
    await s.fault('unavailable');
  },

  'GET /cars/{carId} 200': (s) => s.car(1),
  'GET /cars/{carId} 304': async (s) => {
    await s.car(1);
    s.header('If-None-Match', await s.etag(1));
  },
  'GET /cars/{carId} 400': badId,
  'GET /cars/{carId} 404': unknownCar,
  'GET /cars/{carId} 405': wrongMethod,
  'GET /cars/{carId} 500': internalFaultOnCar1,
  'GET /cars/{carId} 503': unavailableOnCar1,

  'PUT /cars/{carId} 200': (s) => s.car(1),
  'PUT /cars/{carId} 201': (s) => s.noCar(1),
  'PUT /cars/{carId} 400': (s) => s.json({ id: 2, ...A_CAR }),
  'PUT /cars/{carId} 405': wrongMethod,
  'PUT /cars/{carId} 412': staleIfMatch,
  'PUT /cars/{carId} 413': tooLarge,
  'PUT /cars/{carId} 415': notJson,
  'PUT /cars/{carId} 428': unconditionalOnStrict,
  'PUT /cars/{carId} 500': internalFaultOnCar1,
  'PUT /cars/{carId} 503': unavailableOnCar1,

  'PATCH /cars/{carId} 200': (s) => s.car(1),
  'PATCH /cars/{carId} 400': async (s) => {
    await s.car(1);
    s.json({ model: null });
  },
  'PATCH /cars/{carId} 404': unknownCar,
  'PATCH /cars/{carId} 405': wrongMethod,
  'PATCH /cars/{carId} 412': staleIfMatch,
  'PATCH /cars/{carId} 413': tooLarge,
  'PATCH /cars/{carId} 415': notJson,
  'PATCH /cars/{carId} 428': unconditionalOnStrict,
  'PATCH /cars/{carId} 500': internalFaultOnCar1,
  'PATCH /cars/{carId} 503': unavailableOnCar1,

  'DELETE /cars/{carId} 204': (s) => s.car(1),
  'DELETE /cars/{carId} 400': badId,
  'DELETE /cars/{carId} 404': unknownCar,
  'DELETE /cars/{carId} 405': wrongMethod,
  'DELETE /cars/{carId} 412': staleIfMatch,
  'DELETE /cars/{carId} 428': unconditionalOnStrict,
  'DELETE /cars/{carId} 500': internalFaultOnCar1,
  'DELETE /cars/{carId} 503': unavailableOnCar1,

  // Liveness must not depend on the store: it answers 200 with the store down, and never calls it.
  'GET /healthz 200': (s) => s.fault('unavailable', { mustFire: false }),

  'GET /readyz 200': () => {},
  'GET /readyz 503': (s) => s.fault('unavailable'),
};

/**
 * Checks Dredd cannot express, by status (`5xx` for any server error). Each returns a failure
 * message or nothing.
 */
const CHECKS = {
  async 201(s, real) {
    // Location must name the created car: reading it gives back the same representation.
    const location = real.headers.location;
    if (!location) return 'no Location header';
    const res = await s.call('GET', location);
    const body = await res.text();
    if (res.status !== 200) return `GET ${location} (the Location) answered ${res.status}`;
    if (!isDeepStrictEqual(JSON.parse(body), JSON.parse(real.body))) {
      return `GET ${location} (the Location) answered ${body}, not the created car ${real.body}`;
    }
    return undefined;
  },
  405(s, real) {
    const allow = (real.headers.allow || '').split(',').map((m) => m.trim().toUpperCase()).filter(Boolean);
    const missing = s.documentedMethods.filter((m) => !allow.includes(m));
    if (missing.length > 0) return `Allow "${real.headers.allow || ''}" lacks ${missing.join(', ')}`;
    if (allow.includes(s.sentMethod)) return `Allow "${real.headers.allow}" lists ${s.sentMethod}, which was refused`;
    return undefined;
  },
  '5xx'(s, real) {
    // A 5xx never shows internals (house style, rule 7).
    if (/injected fault|\bat .+:\d+:\d+/.test(real.body || '')) return `the body shows internals: ${real.body}`;
    return undefined;
  },
  503(s, real) {
    const internals = CHECKS['5xx'](s, real);
    if (internals) return internals;
    // Dredd checks only that Retry-After is present; it must be the delay the store's error asked for.
    const retryAfter = real.headers['retry-after'];
    const fault = s.armedFault;
    if (fault && fault.kind === 'unavailable' && retryAfter !== String(fault.retryAfterSeconds)) {
      return `Retry-After is "${retryAfter}", not the ${fault.retryAfterSeconds} seconds the store asked for`;
    }
    if (!/^\d+$/.test(retryAfter || '')) return `Retry-After "${retryAfter}" is not a number of seconds`;
    return undefined;
  },
};

// ---------------------------------------------------------------------------------------------
// The scenario a setup works with.
// ---------------------------------------------------------------------------------------------

/** Builds the scenario for one transaction; `info` is what beforeEach worked out about it. */
function scenario(t, info) {
  const apiUrl = `http://${t.host}:${t.port}`;

  /** A request to the API under test (or the control server, with an absolute URL), bounded in time. */
  async function call(method, pathOrUrl, body, headers = {}) {
    const url = /^https?:/.test(pathOrUrl) ? pathOrUrl : apiUrl + pathOrUrl;
    return fetch(url, {
      method,
      headers: body === undefined ? headers : { 'Content-Type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(SETUP_TIMEOUT_MS),
    });
  }

  /** Calls the API and throws unless the status is one of `statuses`. */
  async function expect(method, path, statuses, body, headers) {
    const res = await call(method, path, body, headers);
    const text = await res.text();
    if (!statuses.includes(res.status)) {
      throw new Error(`setup ${method} ${path} answered ${res.status}, expected ${statuses.join(' or ')}: ${text}`);
    }
    return res;
  }

  const header = (name) => Object.keys(t.request.headers).find((h) => h.toLowerCase() === name.toLowerCase());

  return {
    template: info.template,
    documentedMethods: info.documentedMethods,
    get sentMethod() {
      return t.request.method;
    },
    call,
    expect,
    /** Ensures car `id` exists, as `{id, model: Honda, color: White}`. */
    car: (id) => expect('PUT', `/cars/${id}`, [200, 201], { id, ...A_CAR }),
    /** Ensures no car has `id`. */
    noCar: (id) => expect('DELETE', `/cars/${id}`, [204, 404]),
    /** The current ETag of car `id`. */
    async etag(id) {
      const res = await expect('GET', `/cars/${id}`, [200]);
      const tag = res.headers.get('etag');
      if (!tag) throw new Error(`setup GET /cars/${id} sent no ETag`);
      return tag;
    },
    /**
     * Arms a store fault: the server's next store call throws, a plain Error for `internal` (500)
     * or StoreUnavailableError for `unavailable` (503). With `mustFire: false` the request must
     * answer without calling the store, so the fault must still be armed afterwards.
     */
    async fault(kind, { mustFire = true } = {}) {
      if (!CONTROL_URL) throw new Error('CONTRACT_CONTROL_URL is not set; run through npm run test:contract');
      const fault = kind === 'unavailable' ? { kind, retryAfterSeconds: RETRY_AFTER_SECONDS } : { kind };
      await expect('POST', `${CONTROL_URL}/arm`, [204], fault);
      info.armed = { fault, mustFire };
    },
    /** The fault this transaction armed, if any. */
    get armedFault() {
      return info.armed && info.armed.fault;
    },
    /** Sends this transaction to the server that requires If-Match. */
    useStrictServer() {
      if (!STRICT_URL) throw new Error('CONTRACT_STRICT_URL is not set: the runner started no requireIfMatch server');
      const url = new URL(STRICT_URL);
      t.host = url.hostname;
      t.port = url.port;
    },
    /** Fills the template's parameters; those not given keep the values Dredd chose. */
    path(params) {
      const [path, query] = t.fullPath.split('?');
      const parts = path.split('/');
      const expanded = info.template.split('/').map((seg, i) => {
        const name = /^\{(.+)\}$/.exec(seg)?.[1];
        return name && name in params ? encodeURIComponent(String(params[name])) : parts[i];
      });
      setPath(t, expanded.join('/') + (query === undefined ? '' : `?${query}`));
    },
    /** Replaces the query string. */
    query(params) {
      const query = new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)])).toString();
      setPath(t, t.fullPath.split('?')[0] + (query ? `?${query}` : ''));
    },
    /** Sends another method than the documented one. */
    send(method) {
      t.request.method = method;
    },
    /** Sets (or, with `undefined`, removes) a request header. */
    header(name, value) {
      const existing = header(name);
      if (existing) delete t.request.headers[existing];
      if (value !== undefined) t.request.headers[name] = value;
    },
    /** Replaces the body with `value` as JSON, keeping the documented Content-Type. */
    json(value) {
      t.request.body = JSON.stringify(value);
    },
    /** Replaces the body with this text, keeping the Content-Type. */
    rawBody(text) {
      t.request.body = text;
    },
    /** Sends no body and no Content-Type. */
    noBody() {
      t.request.body = '';
      this.header('Content-Type', undefined);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Wiring.
// ---------------------------------------------------------------------------------------------

let contract;
/** What beforeEach worked out about each transaction, for the later hooks. */
const infos = new WeakMap();

/** Points the request at `path`; `uri` follows so that Dredd's report shows what was sent (the server URL has no base path). */
function setPath(t, path) {
  t.fullPath = path;
  t.request.uri = path;
}

/** Drops the optional parameters Dredd filled in from their examples; a setup adds back what it needs. */
function resetRequest(t, method, template) {
  const params = contract.parameters(method, template).filter((p) => !p.required);
  const [path, query] = t.fullPath.split('?');
  const search = new URLSearchParams(query || '');
  for (const p of params.filter((p) => p.in === 'query')) search.delete(p.name);
  setPath(t, path + (search.size > 0 ? `?${search}` : ''));
  const dropped = new Set(params.filter((p) => p.in === 'header').map((p) => p.name.toLowerCase()));
  for (const name of Object.keys(t.request.headers)) if (dropped.has(name.toLowerCase())) delete t.request.headers[name];
}

/** Runs an async hook body under Dredd's callback API; an error fails the transaction, loudly. */
const asyncHook = (stage, body) => (t, done) => {
  Promise.resolve()
    .then(() => body(t))
    .catch((err) => {
      t.fail = `${stage}: ${err && err.message ? err.message : String(err)}`;
    })
    .then(() => done());
};

hooks.beforeAll((transactions) => {
  if (transactions.length === 0) return;
  contract = loadContractSpec(transactions[0].origin.filename);
});

hooks.beforeEach(
  asyncHook('setup', async (t) => {
    // Dredd skips non-2xx transactions by default for OpenAPI 2, and any hook may have set skip:
    // every documented response is to be exercised here.
    t.skip = false;
    const method = t.request.method;
    const status = t.expected.statusCode;
    const path = t.request.uri.split('?')[0];
    // Dredd names the resource by the Path Item's summary when it has one, so fall back on
    // matching the request path against the spec's templates.
    const template = t.origin.resourceName in contract.spec.paths ? t.origin.resourceName : contract.templateOf(path);
    const key = `${method} ${template} ${status}`;
    const info = { key, method, template, status, documentedMethods: contract.methodsAt(template), armed: undefined };
    infos.set(t, info);

    const setup = SETUPS[key];
    if (!setup) {
      throw new Error(`no setup for "${key}": add a row to SETUPS in test/contract/hooks.cjs`);
    }
    resetRequest(t, method, template);
    await setup(scenario(t, info));
    // Dredd's id repeats every example query parameter; name the documented response and what is sent.
    t.id = `${method} (${status}) ${template} <- ${t.request.method} ${t.fullPath}`;
  }),
);

hooks.beforeEachValidation((t) => {
  // Dredd's OpenAPI 3 adapter checks a body only against the example's keys; check it against the
  // documented schema instead.
  const info = infos.get(t);
  const mediaType = t.expected.headers['Content-Type'];
  if (!info || !mediaType) return;
  try {
    const schema = contract.responseSchema(info.method, info.template, info.status, mediaType);
    if (schema) t.expected.bodySchema = schema;
  } catch (err) {
    t.fail = `schema: ${err.message}`;
  }
});

hooks.afterEach(
  asyncHook('check', async (t) => {
    const info = infos.get(t);
    if (!info) return;
    const s = scenario(t, info);
    try {
      if (t.real && String(t.real.statusCode) === info.status && !t.fail) {
        const check = CHECKS[info.status] || (info.status.startsWith('5') ? CHECKS['5xx'] : undefined);
        const failure = check && (await check(s, t.real));
        if (failure) t.fail = `check: ${failure}`;
      }
    } finally {
      if (info.armed) {
        const res = await s.call('DELETE', `${CONTROL_URL}/arm`);
        const { fired } = await res.json();
        // Otherwise the 5xx did not come from the store fault, and the next setup would meet it.
        if (info.armed.mustFire && !fired && !t.fail) t.fail = 'check: the armed store fault was never reached';
        if (!info.armed.mustFire && fired && !t.fail) t.fail = 'check: the request called the store, which it must not';
      }
      if (CONTROL_URL) {
        const result = t.fail ? 'fail' : t.test && t.test.status;
        await s.expect('POST', `${CONTROL_URL}/exercised`, [204], {
          key: info.key,
          actual: t.real ? Number(t.real.statusCode) : undefined,
          result,
        });
      }
    }
  }),
);
