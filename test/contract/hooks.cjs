// @ts-check
/**
 * Dredd hooks for `npm run test:contract`. CommonJS, because Dredd loads hooks with `require`.
 *
 * Dredd makes one transaction per documented (operation, status), and for every status it
 * replays the operation's example request, with every optional parameter filled in from its
 * example. SETUPS turns each transaction into a request that really earns its status, and puts
 * the server in the state that status needs, whatever order Dredd runs them in. A documented
 * status with no row FAILS the transaction, so a response added to the spec without a way to
 * exercise it is caught here rather than silently skipped.
 *
 * The servers require authentication. Every request to an operation with security sends the
 * runner's full key (both scopes) in X-API-Key unless its row sends other credentials; operations
 * with `security: []` are sent none, which shows they are public.
 */
'use strict';

/** @typedef {import('./hooks-types.js').Transaction} Transaction */
/** @typedef {import('./hooks-types.js').Info} Info */
/** @typedef {import('./hooks-types.js').Real} Real */
/** @typedef {ReturnType<typeof scenario>} Scenario */
/** @typedef {(s: Scenario) => void | Promise<unknown>} Setup */
/** @typedef {import('./hooks-types.js').Check<Scenario>} Check */
/** @typedef {ReturnType<typeof loadContractSpec>} ContractSpec */
/** @typedef {import('./remote-target.js').HookTarget} HookTarget */
/** @typedef {keyof HookTarget['ids']} LogicalCar */

const hooks = require('hooks');
const { randomBytes } = require('node:crypto');
const { readFileSync } = require('node:fs');
const { dirname, join } = require('node:path');
const { isDeepStrictEqual } = require('node:util');
const { parse: parseYaml } = require('yaml');
const { loadContractSpec } = require('./contract-spec.cjs');

/** The control server of test/contract/control-server.ts (arms store faults, collects reports). */
const CONTROL_URL = process.env.CONTRACT_CONTROL_URL;
/** A second app over the same store, built with `requireIfMatch`, for the 428 responses. */
const STRICT_URL = process.env.CONTRACT_STRICT_URL;
/** A third app over the same store, with a tiny rate limit, for the 429 responses. */
const LIMITED_URL = process.env.CONTRACT_LIMITED_URL;
/** That app's `{ratePerSecond, burst}`. */
const LIMITED_RATE = readJsonEnv('CONTRACT_LIMITED_RATE');
/** The runner's API keys: `full`, `readOnly`, `writeOnly` and `revoked` (see run-contract.ts). */
const KEYS = readJsonEnv('CONTRACT_API_KEYS');
/** The spec's body limit, 1 MiB; the runner starts the server with its default. */
const BODY_LIMIT = 1024 * 1024;
/**
 * Where the requests go (see remote-target.ts): the servers the runner started, or a deployed instance.
 * Rows name cars by logical id (1, 2, 'unknown'); `ids` says which real ids those are.
 */
/** @type {HookTarget} */
const TARGET = readJsonEnv('CONTRACT_TARGET') || {
  remote: false,
  readOnly: false,
  authRequired: true,
  requiresIfMatch: false,
  ids: { 1: 1, 2: 2, unknown: 424242 },
  rateLimitProbe: 0,
};
/** The methods a --read-only run sends. */
const SAFE_METHODS = ['GET', 'HEAD', 'OPTIONS'];
/** An entity tag the server never issues. */
const STALE_ETAG = '"contract-test-stale"';
const A_CAR = { model: 'Honda', color: 'White' };
/** The Retry-After an unavailability fault carries; not the default 1, so the 503 check sees it pass through. */
const RETRY_AFTER_SECONDS = 7;
const SETUP_TIMEOUT_MS = 10_000;
/** Longer bodies are cut in Dredd's report (see shortenForReport). */
const REPORT_BODY_LIMIT = 2_000;

// ---------------------------------------------------------------------------------------------
// The table: `METHOD path-template status` -> setup. A setup receives a Scenario (below) and may
// be async. Rows are grouped per operation, in the spec's order.
// ---------------------------------------------------------------------------------------------

/**
 * 405: send a method the path does not document; the server answers with `Allow`.
 * @param {Scenario} s
 */
const wrongMethod = (s) => {
  const method = ['DELETE', 'POST', 'PUT', 'PATCH'].find((m) => !s.documentedMethods.includes(m));
  if (!method) throw new Error(`every candidate method is documented at ${s.template}`);
  s.send(method);
  s.noBody();
};
/**
 * 413: a well-formed body just over the limit (naming car 1, so that it could never create another car).
 * @param {Scenario} s
 */
const tooLarge = (s) => s.rawBody(`{"id":${s.id(1)},"model":"${'x'.repeat(BODY_LIMIT)}","color":"White"}`);
/**
 * 415: the example body, declared as text/plain.
 * @param {Scenario} s
 */
const notJson = (s) => s.header('Content-Type', 'text/plain');
/**
 * 404: an id no car has.
 * @param {Scenario} s
 */
const unknownCar = async (s) => {
  await s.noCar('unknown');
  s.path({ carId: s.id('unknown') });
};
/**
 * 400 on a path parameter: not an integer.
 * @param {Scenario} s
 */
const badId = (s) => s.path({ carId: 'abc' });
/**
 * 500: car 1 exists, then the next store call throws a plain Error.
 * @param {Scenario} s
 */
const internalFaultOnCar1 = async (s) => {
  await s.car(1);
  await s.fault('internal');
};
/**
 * 503: car 1 exists, then the next store call throws StoreUnavailableError.
 * @param {Scenario} s
 */
const unavailableOnCar1 = async (s) => {
  await s.car(1);
  await s.fault('unavailable');
};
/**
 * 412: car 1 exists, and the request names a tag it does not have.
 * @param {Scenario} s
 */
const staleIfMatch = async (s) => {
  await s.car(1);
  s.header('If-Match', STALE_ETAG);
};
/**
 * 428: an unconditional write to an existing car, on the server that requires If-Match.
 * @param {Scenario} s
 */
const unconditionalOnStrict = async (s) => {
  await s.car(1);
  s.useStrictServer();
};
/**
 * Car 1 exists, and the request carries a bearer token with every scope.
 * @param {Scenario} s
 */
const car1WithFullAccess = async (s) => {
  await s.car(1);
  s.credentials('full', 'bearer');
};
/**
 * 401, 403 and 429 are answered before the handler runs: a store fault armed now must still be
 * armed afterwards. (API-key lookups never trip a fault; see faulty-store.ts.)
 * @param {Scenario} s
 */
const refusedBeforeStore = (s) => s.fault('internal', { mustFire: false });
/** 401 with these credentials (`none` for none), sent by `scheme`; car 1 exists for the item operations. */
/** @type {(label: string, scheme?: string) => Setup} */
const unauthorized = (label, scheme) => async (s) => {
  if (s.template.includes('{carId}')) await s.car(1);
  if (label === 'none') s.noCredentials();
  else s.credentials(label, scheme);
  await refusedBeforeStore(s);
};
/** 403: a key that lacks the operation's scope; car 1 exists for the item operations. */
/** @type {(label: string, scheme?: string) => Setup} */
const forbidden = (label, scheme) => async (s) => {
  if (s.template.includes('{carId}')) await s.car(1);
  s.credentials(label, scheme);
  await refusedBeforeStore(s);
};
/** 429: the full key, on the rate-limited server, once it has spent its one token. */
/** @type {(scheme?: string) => Setup} */
const rateLimited = (scheme) => async (s) => {
  await s.spendRateLimit();
  s.credentials('full', scheme);
  s.useLimitedServer();
  await refusedBeforeStore(s);
};
/**
 * 400 from any operation: an unknown query parameter (a typo must never be silently ignored).
 * @param {Scenario} s
 */
const unknownQuery = (s) => s.query({ colour: 'red' });
/** 200 from a public operation: no credentials at all (the default for `security: []`). */
const publicOperation = () => {};

/** @type {Record<string, Setup>} */
const SETUPS = {
  'GET /cars 200': async (s) => {
    await s.car(1);
    await s.car(2);
    // Link and X-Total-Count are documented, so Dredd requires both: ask for a page that has a
    // next page, with the total.
    s.query({ limit: 1, total: true });
  },
  'GET /cars 400': (s) => s.query({ colour: 'red' }),
  'GET /cars 401': unauthorized('none'),
  'GET /cars 403': forbidden('writeOnly', 'apiKey'),
  'GET /cars 405': wrongMethod,
  'GET /cars 429': rateLimited('apiKey'),
  'GET /cars 500': (s) => s.fault('internal'),
  'GET /cars 503': (s) => s.fault('unavailable'),

  'POST /cars 201': async (s) => {
    await s.noCar(1);
    s.credentials('full', 'bearer');
  },
  'POST /cars 400': (s) => s.json({ id: s.id(1), model: '', color: 'White' }),
  'POST /cars 401': async (s) => {
    await s.noCar(1);
    await unauthorized('revoked', 'apiKey')(s);
  },
  'POST /cars 403': async (s) => {
    await s.noCar(1);
    await forbidden('readOnly', 'apiKey')(s);
  },
  'POST /cars 405': wrongMethod,
  'POST /cars 409': car1WithFullAccess,
  'POST /cars 413': tooLarge,
  'POST /cars 415': notJson,
  'POST /cars 422': async (s) => {
    const key = `contract-422-${Date.now()}`;
    await s.noCar(1);
    await s.expect('POST', '/cars', [201], { id: s.id(1), ...A_CAR }, { 'Idempotency-Key': key });
    s.header('Idempotency-Key', key);
    s.json({ id: s.id(1), model: 'Ford', color: 'Black' });
  },
  'POST /cars 429': rateLimited('bearer'),
  'POST /cars 500': async (s) => {
    await s.noCar(1);
    await s.fault('internal');
  },
  'POST /cars 503': async (s) => {
    await s.noCar(1);
    await s.fault('unavailable');
  },

  'GET /cars/{carId} 200': car1WithFullAccess,
  'GET /cars/{carId} 304': async (s) => {
    await s.car(1);
    s.header('If-None-Match', await s.etag(1));
  },
  'GET /cars/{carId} 400': badId,
  'GET /cars/{carId} 401': unauthorized('revoked', 'bearer'),
  'GET /cars/{carId} 403': forbidden('writeOnly', 'bearer'),
  'GET /cars/{carId} 404': unknownCar,
  'GET /cars/{carId} 405': wrongMethod,
  'GET /cars/{carId} 429': rateLimited('apiKey'),
  'GET /cars/{carId} 500': internalFaultOnCar1,
  'GET /cars/{carId} 503': unavailableOnCar1,

  'PUT /cars/{carId} 200': (s) => s.car(1),
  'PUT /cars/{carId} 201': (s) => s.noCar(1),
  'PUT /cars/{carId} 400': (s) => s.json({ id: s.id(2), ...A_CAR }),
  'PUT /cars/{carId} 401': unauthorized('none'),
  'PUT /cars/{carId} 403': forbidden('readOnly', 'bearer'),
  'PUT /cars/{carId} 405': wrongMethod,
  'PUT /cars/{carId} 412': staleIfMatch,
  'PUT /cars/{carId} 413': tooLarge,
  'PUT /cars/{carId} 415': notJson,
  'PUT /cars/{carId} 428': unconditionalOnStrict,
  'PUT /cars/{carId} 429': rateLimited('apiKey'),
  'PUT /cars/{carId} 500': internalFaultOnCar1,
  'PUT /cars/{carId} 503': unavailableOnCar1,

  'PATCH /cars/{carId} 200': car1WithFullAccess,
  'PATCH /cars/{carId} 400': async (s) => {
    await s.car(1);
    s.json({ model: null });
  },
  'PATCH /cars/{carId} 401': unauthorized('garbage', 'apiKey'),
  'PATCH /cars/{carId} 403': forbidden('readOnly', 'apiKey'),
  'PATCH /cars/{carId} 404': unknownCar,
  'PATCH /cars/{carId} 405': wrongMethod,
  'PATCH /cars/{carId} 412': staleIfMatch,
  'PATCH /cars/{carId} 413': tooLarge,
  'PATCH /cars/{carId} 415': notJson,
  'PATCH /cars/{carId} 428': unconditionalOnStrict,
  'PATCH /cars/{carId} 429': rateLimited('bearer'),
  'PATCH /cars/{carId} 500': internalFaultOnCar1,
  'PATCH /cars/{carId} 503': unavailableOnCar1,

  'DELETE /cars/{carId} 204': car1WithFullAccess,
  'DELETE /cars/{carId} 400': badId,
  'DELETE /cars/{carId} 401': unauthorized('unknown', 'bearer'),
  'DELETE /cars/{carId} 403': forbidden('readOnly', 'bearer'),
  'DELETE /cars/{carId} 404': unknownCar,
  'DELETE /cars/{carId} 405': wrongMethod,
  'DELETE /cars/{carId} 412': staleIfMatch,
  'DELETE /cars/{carId} 428': unconditionalOnStrict,
  'DELETE /cars/{carId} 429': rateLimited('apiKey'),
  'DELETE /cars/{carId} 500': internalFaultOnCar1,
  'DELETE /cars/{carId} 503': unavailableOnCar1,

  // Liveness must not depend on the store: it answers 200 with the store down, and never calls it.
  'GET /healthz 200': (s) => s.fault('unavailable', { mustFire: false }),

  'GET /readyz 200': () => {},
  'GET /readyz 503': (s) => s.fault('unavailable', { on: ['ping'] }),

  'GET /openapi.json 200': publicOperation,
  'GET /openapi.yaml 200': publicOperation,
  'GET /docs 200': publicOperation,
  'GET /docs/swagger-ui.css 200': publicOperation,
  'GET /docs/swagger-ui-bundle.js 200': publicOperation,
  'GET /docs/swagger-ui-standalone-preset.js 200': publicOperation,
  'GET /docs/init.js 200': publicOperation,
  // A request the metrics must then count.
  'GET /metrics 200': (s) => s.expect('GET', '/healthz', [200]),
  // Every operation rejects unknown query parameters, and every path a method it does not list,
  // the public ones too.
  ...Object.fromEntries(
    ['/healthz', '/readyz', '/openapi.json', '/openapi.yaml', '/docs', '/docs/swagger-ui.css', '/docs/swagger-ui-bundle.js',
      '/docs/swagger-ui-standalone-preset.js', '/docs/init.js', '/metrics'].flatMap((path) => [
      [`GET ${path} 400`, unknownQuery],
      [`GET ${path} 405`, wrongMethod],
    ]),
  ),
};

/**
 * Checks Dredd cannot express, by status (`5xx` for any server error). Each returns a failure
 * message or nothing.
 */
/** @type {Record<string, Check>} */
const CHECKS = {
  401(s, real) {
    // RFC 9110 §11.6.1: a 401 carries a challenge for each scheme the server accepts.
    const challenges = real.headers['www-authenticate'] || '';
    const missing = s.securitySchemes
      .map(challengeName)
      .filter((name) => !new RegExp(`(^|,)\\s*${name}\\b`, 'i').test(challenges));
    if (missing.length > 0) return `WWW-Authenticate "${challenges}" has no challenge for ${missing.join(', ')}`;
    return undefined;
  },
  async 403(s) {
    // The key was refused for its scopes, not for being a bad key: the other kind of request works.
    const sent = s.sentCredentials;
    if (!sent || !['readOnly', 'writeOnly'].includes(sent.label)) return `403 for ${sent ? sent.label : 'no'} credentials`;
    // A --read-only run cannot show that the write-only key may write.
    if (sent.label === 'writeOnly' && TARGET.readOnly) return undefined;
    const res = sent.label === 'readOnly'
      ? await s.call('GET', '/cars', undefined, { 'X-API-Key': sent.key })
      : await s.call('PUT', `/cars/${s.id(1)}`, { id: s.id(1), ...A_CAR }, { 'X-API-Key': sent.key, ...(await s.ifMatchFor(1)) });
    await res.text();
    if (res.status >= 300) return `the ${sent.label} key that got 403 got ${res.status} where its scope allows`;
    return undefined;
  },
  429(s, real) {
    const number = (/** @type {string} */ name) => (/^\d+$/.test(real.headers[name] || '') ? Number(real.headers[name]) : undefined);
    const [retryAfter, limit, remaining, reset] = ['retry-after', 'ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset'].map(number);
    // A deployed instance's limit is not known here: its headers need only agree with each other.
    const rate = TARGET.remote ? undefined : limitedRate();
    const longest = rate ? Math.ceil(1 / rate.ratePerSecond) : Number.MAX_SAFE_INTEGER;
    if (retryAfter === undefined || retryAfter < 1 || retryAfter > longest) {
      return `Retry-After "${real.headers['retry-after']}" is not a number of seconds in 1..${longest}`;
    }
    if (rate ? limit !== rate.burst : !(limit !== undefined && limit >= 1)) {
      return `RateLimit-Limit "${real.headers['ratelimit-limit']}" is not ${rate ? `the burst, ${rate.burst}` : 'a positive number'}`;
    }
    if (remaining !== 0) return `RateLimit-Remaining "${real.headers['ratelimit-remaining']}" is not 0`;
    if (reset !== retryAfter) return `RateLimit-Reset "${real.headers['ratelimit-reset']}" is not Retry-After, ${retryAfter}`;
    return undefined;
  },
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
    const internals = CHECKS['5xx']?.(s, real);
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

/**
 * Checks by row, for what the documented schema cannot say; every row whose body is not JSON
 * needs one, since Dredd would otherwise compare the body with the documented example.
 */
/** @type {Record<string, Check>} */
const ROW_CHECKS = {
  'GET /openapi.json 200'(s, real) {
    if (!isDeepStrictEqual(JSON.parse(real.body), s.spec)) return 'the body is not the spec';
    return undefined;
  },
  'GET /openapi.yaml 200'(s, real) {
    if (!isDeepStrictEqual(parseYaml(real.body), s.spec)) return 'the body is not the spec';
    return undefined;
  },
  'GET /docs 200'(s, real) {
    if (!/^<!doctype html>/i.test(real.body)) return `the body is not an HTML document: ${real.body.slice(0, 80)}`;
    // Every asset the page loads is served by a documented public operation (no CDN).
    const assets = [...real.body.matchAll(/\b(?:src|href)="([^"]*)"/g)].map((m) => m[1] ?? '');
    if (assets.length === 0) return 'the page loads no assets';
    const undocumented = assets.filter((url) => {
      const template = url.startsWith('/') ? s.templateOf(url) : undefined;
      return !template || !s.methodsAt(template).includes('GET');
    });
    if (undocumented.length > 0) return `the page loads ${undocumented.join(', ')}, which the spec does not document`;
    return undefined;
  },
  'GET /docs/swagger-ui.css 200': (s, real) => sameAsPackageFile(real, 'swagger-ui.css'),
  'GET /docs/swagger-ui-bundle.js 200': (s, real) => sameAsPackageFile(real, 'swagger-ui-bundle.js'),
  'GET /docs/swagger-ui-standalone-preset.js 200': (s, real) => sameAsPackageFile(real, 'swagger-ui-standalone-preset.js'),
  'GET /docs/init.js 200'(s, real) {
    if (!/\bSwaggerUIBundle\(/.test(real.body) || !real.body.includes("'/openapi.json'")) {
      return `the script does not start Swagger UI on /openapi.json: ${real.body.slice(0, 200)}`;
    }
    return undefined;
  },
  'GET /metrics 200'(s, real) {
    // The Prometheus text format 0.0.4: comments, and samples `name{labels} value [timestamp]`.
    const lines = real.body.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
    const bad = lines.find((line) => !/^[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})? \S+( -?\d+)?$/.test(line));
    if (bad !== undefined) return `not a Prometheus sample: ${bad}`;
    // Behind a load balancer, the setup's request may have reached another instance.
    if (TARGET.remote) return undefined;
    if (!lines.some((line) => /^http_requests_total\{.*operation="getHealth".*\} [1-9]/.test(line))) {
      return 'http_requests_total does not count the GET /healthz the setup sent';
    }
    return undefined;
  },
};

/** The Swagger UI assets are served byte for byte as published in swagger-ui-dist. */
/** @param {Real} real @param {string} file */
function sameAsPackageFile(real, file) {
  const dir = dirname(require.resolve('swagger-ui-dist/package.json'));
  const expected = readFileSync(join(dir, file));
  if (!real.bytes.equals(expected)) return `the body (${real.bytes.length} bytes) is not swagger-ui-dist/${file} (${expected.length} bytes)`;
  return undefined;
}

/**
 * The auth-scheme a 401 challenges with for a Security Scheme Object: the http scheme's own name
 * (`Bearer`), or `ApiKey` for an apiKey scheme, which has no registered name (the spec's example
 * uses `ApiKey`).
 */
/** @param {{ type: string, scheme: string }} scheme */
function challengeName(scheme) {
  if (scheme.type === 'http') return scheme.scheme.replace(/^./, (c) => c.toUpperCase());
  if (scheme.type === 'apiKey') return 'ApiKey';
  throw new Error(`no challenge for a ${scheme.type} scheme`);
}

// ---------------------------------------------------------------------------------------------
// The scenario a setup works with.
// ---------------------------------------------------------------------------------------------

/** Builds the scenario for one transaction; `info` is what beforeEach worked out about it. */
/** @param {Transaction} t @param {Info} info */
function scenario(t, info) {
  const apiUrl = `${t.protocol || 'http:'}//${t.host}${t.port ? `:${t.port}` : ''}`;

  /**
   * A request to the API under test (or, with an absolute URL, another server), bounded in time.
   * Requests to the API servers carry the full key unless `headers` names other credentials.
   */
  /** @param {string} method @param {string} pathOrUrl @param {unknown} [body] @param {Record<string, string>} [headers] */
  async function call(method, pathOrUrl, body, headers = {}) {
    const url = /^https?:/.test(pathOrUrl) ? pathOrUrl : apiUrl + pathOrUrl;
    if (!CONTROL_URL || !url.startsWith(CONTROL_URL)) guardWrite(method, new URL(url).pathname, body);
    // A deployed instance that does not require authentication may be run without a key.
    /** @type {Record<string, string>} */
    const credentials = (CONTROL_URL && url.startsWith(CONTROL_URL)) || !keys().full ? {} : { 'X-API-Key': /** @type {string} */ (keys().full) };
    return fetch(url, {
      method,
      headers: { ...credentials, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(SETUP_TIMEOUT_MS),
    });
  }

  /** Calls the API and throws unless the status is one of `statuses`. */
  /** @param {string} method @param {string} path @param {number[]} statuses @param {unknown} [body] @param {Record<string, string>} [headers] */
  async function expect(method, path, statuses, body, headers) {
    const res = await call(method, path, body, headers);
    const text = await res.text();
    if (!statuses.includes(res.status)) {
      throw new Error(`setup ${method} ${path} answered ${res.status}, expected ${statuses.join(' or ')}: ${text}`);
    }
    return res;
  }

  /** @param {string} name */
  const header = (name) => Object.keys(t.request.headers).find((h) => h.toLowerCase() === name.toLowerCase());

  /** Points this transaction at another server over the same store. */
  /** @param {string | undefined} base @param {string} variable */
  function useServer(base, variable) {
    if (!base) throw new Error(`${variable} is not set; run through npm run test:contract`);
    const url = new URL(base);
    t.host = url.hostname;
    t.port = url.port;
  }

  return {
    template: info.template,
    documentedMethods: info.documentedMethods,
    /** The parsed spec, and lookups in it. */
    spec: contract.spec,
    templateOf: contract.templateOf,
    methodsAt: contract.methodsAt,
    /** The Security Scheme Objects this operation accepts. */
    get securitySchemes() {
      const names = new Set(contract.security(info.method, info.template).flatMap((/** @type {object} */ req) => Object.keys(req)));
      return [...names].map((name) => contract.spec.components.securitySchemes[name]);
    },
    get sentMethod() {
      return t.request.method;
    },
    /** The credentials this transaction sends: `{label, scheme, key}`, or undefined for none. */
    get sentCredentials() {
      return info.credentials;
    },
    call,
    expect,
    /** The real id of the logical car `n` (1, 2 or 'unknown'; see TARGET.ids). */
    id: carId,
    /**
     * Ensures car `n` exists, as `{id, model: Honda, color: White}`. A --read-only run cannot
     * write: there the car must exist already (the runner picked existing cars for 1 and 2).
     */
    /** @param {LogicalCar} n */
    async car(n) {
      const id = carId(n);
      if (TARGET.readOnly) {
        const res = await call('GET', `/cars/${id}`);
        await res.text();
        if (res.status !== 200) notExercisable(`needs a car to read, and the target has fewer than ${n === 2 ? 2 : 1}`);
        return res;
      }
      return expect('PUT', `/cars/${id}`, [200, 201], { id, ...A_CAR }, await this.ifMatchFor(n));
    },
    /** Ensures no car has the id of logical car `n`. */
    /** @param {LogicalCar} n */
    async noCar(n) {
      const id = carId(n);
      if (TARGET.readOnly) {
        const res = await call('GET', `/cars/${id}`);
        await res.text();
        if (res.status !== 404) notExercisable(`needs a free id, and car ${id} exists`);
        return res;
      }
      return expect('DELETE', `/cars/${id}`, [204, 404], undefined, await this.ifMatchFor(n));
    },
    /** The current ETag of logical car `n`. */
    /** @param {LogicalCar} n */
    async etag(n) {
      const id = carId(n);
      const res = await expect('GET', `/cars/${id}`, [200]);
      const tag = res.headers.get('etag');
      if (!tag) throw new Error(`setup GET /cars/${id} sent no ETag`);
      return tag;
    },
    /**
     * `{If-Match: <car n's ETag>}` when the target requires If-Match and the car exists, else `{}`:
     * what a write meant to succeed sends.
     */
    /** @param {LogicalCar} n @returns {Promise<Record<string, string>>} */
    async ifMatchFor(n) {
      if (!TARGET.requiresIfMatch) return {};
      const res = await call('GET', `/cars/${carId(n)}`);
      await res.text();
      const tag = res.headers.get('etag');
      return res.status === 200 && tag ? { 'If-Match': tag } : {};
    },
    /**
     * Arms a store fault: the server's next store call throws, a plain Error for `internal` (500)
     * or StoreUnavailableError for `unavailable` (503). With `mustFire: false` the request must
     * answer without calling the store, so the fault must still be armed afterwards.
     */
    /** @param {'internal' | 'unavailable'} kind @param {{ mustFire?: boolean, on?: string[] }} [options] */
    async fault(kind, { mustFire = true, on } = {}) {
      if (TARGET.remote) {
        // A request that must not reach the store answers the same without the fault.
        if (!mustFire) return;
        notExercisable('needs a store fault, which only a server this run starts can inject');
      }
      if (!CONTROL_URL) throw new Error('CONTRACT_CONTROL_URL is not set; run through npm run test:contract');
      const target = on === undefined ? {} : { on };
      const fault = kind === 'unavailable' ? { kind, retryAfterSeconds: RETRY_AFTER_SECONDS, ...target } : { kind, ...target };
      await expect('POST', `${CONTROL_URL}/arm`, [204], fault);
      info.armed = { fault, mustFire };
    },
    /** The fault this transaction armed, if any. */
    get armedFault() {
      return info.armed && info.armed.fault;
    },
    /** Sends this transaction to the server that requires If-Match. */
    useStrictServer() {
      if (TARGET.remote) {
        if (!TARGET.requiresIfMatch) notExercisable('needs If-Match to be required, and the target does not require it (REQUIRE_IF_MATCH)');
        return;
      }
      useServer(STRICT_URL, 'CONTRACT_STRICT_URL');
    },
    /** Sends this transaction to the rate-limited server. */
    useLimitedServer() {
      if (!TARGET.remote) useServer(LIMITED_URL, 'CONTRACT_LIMITED_URL');
    },
    /**
     * Spends the full key's one token on the rate-limited server (it may be spent already). On a
     * deployed instance, sends at most TARGET.rateLimitProbe cheap reads until one answers 429.
     */
    async spendRateLimit() {
      if (TARGET.remote) {
        for (let i = 0; i < TARGET.rateLimitProbe; i++) {
          const res = await call('GET', '/cars?limit=1');
          await res.text();
          if (res.status === 429) return;
        }
        notExercisable(`needs a rate limit, and ${TARGET.rateLimitProbe} requests in a row got no 429 (the target's limit is higher)`);
      }
      if (!LIMITED_URL) throw new Error('CONTRACT_LIMITED_URL is not set; run through npm run test:contract');
      await expect('GET', `${LIMITED_URL}/cars`, [200, 429]);
    },
    /**
     * Sends a key: `full`, `readOnly`, `writeOnly`, `revoked`, `unknown` (well formed, never
     * issued) or `garbage` (not a key), in X-API-Key (`apiKey`) or as a Bearer token (`bearer`).
     */
    /** @param {string} wanted @param {string} [scheme] */
    credentials(wanted, scheme = 'apiKey') {
      // A deployed instance has no revoked key of ours: a well-formed key it never issued is refused alike.
      const label = wanted === 'revoked' && !keys().revoked ? 'unknown' : wanted;
      if (['readOnly', 'writeOnly'].includes(label) && !keys()[label]) {
        const [flag, scope] = label === 'readOnly' ? ['--read-only-key', 'cars:read'] : ['--write-only-key', 'cars:write'];
        notExercisable(`needs a key with only ${scope} (${flag})`);
      }
      const key = keyText(label);
      this.noCredentials();
      if (scheme === 'apiKey') this.header('X-API-Key', key);
      else if (scheme === 'bearer') this.header('Authorization', `Bearer ${key}`);
      else throw new Error(`unknown credential scheme ${scheme}`);
      info.credentials = { label, scheme, key };
    },
    /** Sends no credentials. */
    noCredentials() {
      this.header('X-API-Key', undefined);
      this.header('Authorization', undefined);
      info.credentials = undefined;
    },
    /** Fills the template's parameters; those not given keep the values Dredd chose. */
    /** @param {Record<string, string | number>} params */
    path(params) {
      const [path = '', query] = t.fullPath.split('?');
      const parts = path.split('/');
      const expanded = info.template.split('/').map((seg, i) => {
        const name = /^\{(.+)\}$/.exec(seg)?.[1];
        return name && name in params ? encodeURIComponent(String(params[name])) : parts[i];
      });
      setPath(t, expanded.join('/') + (query === undefined ? '' : `?${query}`));
    },
    /** Replaces the query string. */
    /** @param {Record<string, string | number | boolean>} params */
    query(params) {
      const query = new URLSearchParams(Object.entries(params).map(([k, v]) => /** @type {[string, string]} */ ([k, String(v)]))).toString();
      setPath(t, t.fullPath.split('?')[0] + (query ? `?${query}` : ''));
    },
    /** Sends another method than the documented one. */
    /** @param {string} method */
    send(method) {
      t.request.method = method;
    },
    /** Sets (or, with `undefined`, removes) a request header. */
    /** @param {string} name @param {string | undefined} value */
    header(name, value) {
      const existing = header(name);
      if (existing) delete t.request.headers[existing];
      if (value !== undefined) t.request.headers[name] = value;
    },
    /** Replaces the body with `value` as JSON, keeping the documented Content-Type. */
    /** @param {unknown} value */
    json(value) {
      t.request.body = JSON.stringify(value);
    },
    /** Replaces the body with this text, keeping the Content-Type. */
    /** @param {string} text */
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

/** The text of a key by its label (see `credentials`). */
/** @param {string} label @returns {string} */
function keyText(label) {
  if (label === 'unknown') return `cars_${randomBytes(6).toString('hex')}_${randomBytes(32).toString('base64url')}`;
  if (label === 'garbage') return 'not-an-api-key';
  const key = keys()[label];
  if (typeof key !== 'string') throw new Error(`CONTRACT_API_KEYS has no "${label}" key`);
  return key;
}

/** The runner's keys by label. @returns {Record<string, string>} */
function keys() {
  if (!KEYS) throw new Error('CONTRACT_API_KEYS is not set; run through npm run test:contract');
  return KEYS;
}

/** The rate-limited server's settings. @returns {{ ratePerSecond: number, burst: number }} */
function limitedRate() {
  if (!LIMITED_RATE) throw new Error('CONTRACT_LIMITED_RATE is not set; run through npm run test:contract');
  return LIMITED_RATE;
}

// ---------------------------------------------------------------------------------------------
// The target's limits: what a deployed instance cannot show, and what a run there must not do.
// ---------------------------------------------------------------------------------------------

/** A response this target cannot produce; the transaction is skipped and listed with the reason. */
class NotExercisable extends Error {}

/** Skips the transaction as not exercisable against this target, for `reason`. */
/** @param {string} reason @returns {never} */
function notExercisable(reason) {
  throw new NotExercisable(reason);
}

/** The real id of a logical car (1, 2 or 'unknown'). */
/** @param {LogicalCar} n @returns {number} */
function carId(n) {
  const id = TARGET.ids[n];
  if (id === undefined) notExercisable(`needs a car, and the target has fewer than ${n === 2 ? 2 : 1}`);
  return id;
}

/**
 * Refuses any request to a deployed instance that could change a car this run did not create:
 * a --read-only run sends no write at all, and any other run writes only to its reserved ids
 * (TARGET.ids, which the runner found free), never to a server-assigned one it could lose track of.
 */
/** @param {string} method @param {string} path @param {unknown} body */
function guardWrite(method, path, body) {
  if (!TARGET.remote || SAFE_METHODS.includes(method.toUpperCase())) return;
  if (TARGET.readOnly) notExercisable(`sends ${method}, and --read-only sends only ${SAFE_METHODS.join(', ')}`);
  const owned = Object.values(TARGET.ids);
  const item = /^\/cars\/([^/]*)$/.exec(path);
  if (item) {
    const id = Number(decodeURIComponent(/** @type {string} */ (item[1])));
    // A path that is no id at all (the 400 rows) is refused before the store.
    if (!Number.isInteger(id) || owned.includes(id)) return;
    throw new Error(`refused to send ${method} ${path}: car ${id} is not one this run reserved`);
  }
  if (/^\/cars\/?$/.test(path) && method.toUpperCase() === 'POST') {
    let value;
    try {
      value = JSON.parse(typeof body === 'string' ? body : JSON.stringify(body));
    } catch {
      return; // Not JSON: nothing can be created.
    }
    if (value && typeof value === 'object' && owned.includes(value.id)) return;
    throw new Error(`refused to send POST ${path}: its body names no id this run reserved`);
  }
}

/** Reads a JSON environment variable; undefined when unset, so loading the hooks never throws. */
/** @param {string} name @returns {any} */
function readJsonEnv(name) {
  const text = process.env[name];
  return text === undefined ? undefined : JSON.parse(text);
}

/** How a transaction's credentials show in its id. */
/** @param {Info} info */
function describeCredentials(info) {
  if (!info.secured) return '';
  const sent = info.credentials;
  if (!sent) return ' [no credentials]';
  return ` [${sent.scheme === 'bearer' ? 'Bearer' : 'X-API-Key'}: ${sent.label} key]`;
}

// ---------------------------------------------------------------------------------------------
// Wiring.
// ---------------------------------------------------------------------------------------------

/** @type {ContractSpec} */
let contract;
/** What beforeEach worked out about each transaction, for the later hooks. */
/** @type {WeakMap<Transaction, Info>} */
const infos = new WeakMap();

/** Points the request at `path`; `uri` follows so that Dredd's report shows what was sent (the server URL has no base path). */
/** @param {Transaction} t @param {string} path */
function setPath(t, path) {
  t.fullPath = path;
  t.request.uri = path;
}

/** Drops the optional parameters Dredd filled in from their examples; a setup adds back what it needs. */
/** @param {Transaction} t @param {string} method @param {string} template */
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
/** @type {(stage: string, body: (t: Transaction) => Promise<void>) => (t: Transaction, done: () => void) => void} */
const asyncHook = (stage, body) => (t, done) => {
  Promise.resolve()
    .then(() => body(t))
    .catch((err) => {
      t.fail = `${stage}: ${err && err.message ? err.message : String(err)}`;
    })
    .then(() => done());
};

hooks.beforeAll((transactions) => {
  const [first] = transactions;
  if (first === undefined) return;
  contract = loadContractSpec(first.origin.filename);
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
    if (template === undefined) throw new Error(`${path} matches no path of the spec`);
    const key = `${method} ${template} ${status}`;
    /** @type {Info} */
    const info = {
      key,
      method,
      template,
      status,
      documentedMethods: contract.methodsAt(template),
      secured: contract.security(method, template).length > 0,
      credentials: undefined,
      armed: undefined,
      notExercisable: undefined,
    };
    infos.set(t, info);

    const setup = SETUPS[key];
    if (!setup) {
      throw new Error(`no setup for "${key}": add a row to SETUPS in test/contract/hooks.cjs`);
    }
    resetRequest(t, method, template);
    const s = scenario(t, info);
    try {
      await prepare(t, info, s, setup);
    } catch (err) {
      if (!(err instanceof NotExercisable)) throw err;
      // Listed in the run's "not exercisable against this target" section, not silently skipped.
      info.notExercisable = err.message;
      t.skip = true;
      await s.expect('POST', `${CONTROL_URL}/exercised`, [204], { key, notExercisable: err.message });
    }
    // Dredd's id repeats every example query parameter; name the documented response and what is sent.
    t.id = `${method} (${status}) ${template} <- ${t.request.method} ${t.fullPath}${describeCredentials(info)}`;
    if (info.notExercisable) t.id += ` (not exercisable against this target: ${info.notExercisable})`;
  }),
);

/** Turns the transaction into the request its row asks for, within what the target allows. */
/** @param {Transaction} t @param {Info} info @param {Scenario} s @param {Setup} setup */
async function prepare(t, info, s, setup) {
  if (TARGET.readOnly && !SAFE_METHODS.includes(info.method)) guardWrite(info.method, info.template, undefined);
  if (!TARGET.authRequired && ['401', '403'].includes(info.status)) notExercisable('needs authentication, and the target does not require it');
  // The spec's examples name car 1; point them at the logical car 1 of this target.
  const first = TARGET.ids[1];
  if (info.template.includes('{carId}') && first !== undefined) s.path({ carId: first });
  replaceBodyId(t, first);
  s.noCredentials();
  if (info.secured && keys().full) s.credentials('full');
  await setup(s);
  // On a target that requires If-Match, a write meant to succeed names the car's current tag.
  const write = ['PUT', 'PATCH', 'DELETE'].includes(t.request.method);
  const header = Object.keys(t.request.headers).some((h) => /^if-(none-)?match$/i.test(h));
  if (TARGET.remote && TARGET.requiresIfMatch && write && info.status.startsWith('2') && !header) {
    for (const [name, value] of Object.entries(await s.ifMatchFor(1))) s.header(name, value);
  }
  guardWrite(t.request.method, /** @type {string} */ (t.fullPath.split('?')[0]), t.request.body);
}

/** Sets the `id` member of a JSON object body (the spec's example) to `id`. */
/** @param {Transaction} t @param {number | undefined} id */
function replaceBodyId(t, id) {
  if (id === undefined || typeof t.request.body !== 'string' || t.request.body === '') return;
  try {
    const body = JSON.parse(t.request.body);
    if (body && typeof body === 'object' && !Array.isArray(body) && 'id' in body && body.id !== id) t.request.body = JSON.stringify({ ...body, id });
  } catch {
    // Not JSON: left as it is.
  }
}

hooks.beforeEachValidation((t) => {
  // Dredd's OpenAPI 3 adapter checks a body only against the example's keys; check it against the
  // documented schema instead.
  const info = infos.get(t);
  const mediaType = t.expected.headers['Content-Type'];
  if (!info || !mediaType) return;
  if (!/\bjson\b/i.test(mediaType)) {
    // Dredd would compare a text body with the documented example (an excerpt), character for
    // character; the row's check stands in for that.
    if (!ROW_CHECKS[info.key]) t.fail = `check: "${info.key}" is ${mediaType}; add a row to ROW_CHECKS in test/contract/hooks.cjs`;
    delete t.expected.body;
    return;
  }
  try {
    const schema = contract.responseSchema(info.method, info.template, info.status, mediaType);
    if (schema) t.expected.bodySchema = schema;
  } catch (err) {
    t.fail = `schema: ${err instanceof Error ? err.message : String(err)}`;
  }
});

hooks.afterEach(
  asyncHook('check', async (t) => {
    const info = infos.get(t);
    if (!info || info.notExercisable) return;
    const s = scenario(t, info);
    try {
      // Disarm first: the checks below call the API, and must neither meet the fault nor use it up.
      if (info.armed) {
        const res = await s.call('DELETE', `${CONTROL_URL}/arm`);
        const { fired } = /** @type {{ fired: boolean }} */ (await res.json());
        // Otherwise the 5xx did not come from the store fault, and the next setup would meet it.
        if (info.armed.mustFire && !fired && !t.fail) t.fail = 'check: the armed store fault was never reached';
        if (!info.armed.mustFire && fired && !t.fail) t.fail = 'check: the request called the store, which it must not';
      }
      if (t.real && String(t.real.statusCode) === info.status && !t.fail) {
        const real = decoded(t.real);
        const check = CHECKS[info.status] || (info.status.startsWith('5') ? CHECKS['5xx'] : undefined);
        const rowCheck = ROW_CHECKS[info.key];
        const failure = (check && (await check(s, real))) || (rowCheck && (await rowCheck(s, real)));
        if (failure) t.fail = `check: ${failure}`;
      }
    } finally {
      if (CONTROL_URL) {
        const result = t.fail ? 'fail' : t.test && t.test.status;
        await s.expect('POST', `${CONTROL_URL}/exercised`, [204], {
          key: info.key,
          actual: t.real ? Number(t.real.statusCode) : undefined,
          result,
          // Dredd fails a transaction whose answer lacks one of these: for the coverage matrix.
          expectedHeaders: Object.keys(t.expected.headers || {}),
        });
      }
      shortenForReport(t);
    }
  }),
);

/** The response with its body as text (`body`) and as bytes (`bytes`), whatever Dredd's encoding. */
/** @param {NonNullable<Transaction['real']>} real @returns {Real} */
function decoded(real) {
  const bytes = Buffer.from(real.body || '', real.bodyEncoding === 'base64' ? 'base64' : 'utf8');
  return { statusCode: real.statusCode, headers: real.headers, body: bytes.toString('utf8'), bytes };
}

/**
 * Cuts huge bodies (the 413 requests, the Swagger UI bundle) in what Dredd reports. Dredd exits
 * with process.exit(), which can drop the end of a large write to a pipe, summary line included.
 */
/** @param {Transaction} t */
function shortenForReport(t) {
  /** @param {{ body?: string } | undefined} message */
  const cut = (message) => {
    if (message && typeof message.body === 'string' && message.body.length > REPORT_BODY_LIMIT) {
      message.body = `${message.body.slice(0, REPORT_BODY_LIMIT)}… (${message.body.length} characters; cut by the hooks)`;
    }
  };
  cut(t.request);
  cut(t.real);
}
