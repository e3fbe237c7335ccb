/** Types for the Dredd hooks (hooks.cjs is plain CommonJS, type-checked with `// @ts-check` and these). */

/** What Dredd's `hooks` module offers the hooks file (it is injected by Dredd, not installed). */
export interface DreddHooks {
  beforeAll(hook: (transactions: Transaction[]) => void): void;
  beforeEach(hook: (t: Transaction, done: () => void) => void): void;
  beforeEachValidation(hook: (t: Transaction) => void): void;
  afterEach(hook: (t: Transaction, done: () => void) => void): void;
}

/** A message as Dredd records it. */
export interface DreddMessage {
  body?: string;
  headers: Record<string, string>;
}

/** The parts of a Dredd transaction the hooks read and change. */
export interface Transaction {
  id: string;
  /** `http:` or `https:`; the hooks default to `http:` when Dredd leaves it out. */
  protocol?: string;
  host: string;
  port: string;
  fullPath: string;
  skip: boolean;
  fail?: string | boolean;
  origin: { filename: string; resourceName: string };
  request: DreddMessage & { method: string; uri: string };
  expected: DreddMessage & { statusCode: string; bodySchema?: unknown };
  real?: DreddMessage & { statusCode: string | number; bodyEncoding?: string };
  test?: { status?: string };
}

/** A response as the checks see it: the body as text and as bytes. */
export interface Real {
  statusCode: string | number;
  headers: Record<string, string>;
  body: string;
  bytes: Buffer;
}

/** The credentials a transaction sends. */
export interface SentCredentials {
  label: string;
  scheme: string;
  key: string;
}

/** A store fault the control server arms. */
export type Fault = { kind: string; retryAfterSeconds?: number; on?: string[] };

/** What beforeEach works out about a transaction, for the later hooks. */
export interface Info {
  key: string;
  method: string;
  template: string;
  status: string;
  documentedMethods: string[];
  secured: boolean;
  credentials: SentCredentials | undefined;
  armed: { fault: Fault; mustFire: boolean } | undefined;
  /** Why this target cannot produce the response, when it cannot (the transaction is then skipped). */
  notExercisable: string | undefined;
}

/** A check: a failure message, or nothing. */
export type Check<S> = (s: S, real: Real) => string | undefined | Promise<string | undefined>;
