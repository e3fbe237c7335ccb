/** The reference page in a real browser: headless Chromium (Debian's) driven by playwright-core. */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page, type Request } from 'playwright-core';
import { loadSpec } from '../../src/spec.js';
import { useServer } from '../support/server.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
// A name no resolver knows: Chromium maps it to loopback, so the page is served as a public site would be.
const PUBLIC_HOST = 'docs.cars-api.test';
// Every wait is bounded by one of these; none relies on the test runner's own timeout.
const LAUNCH_MS = 30_000;
const PAGE_MS = 20_000;
const ACTION_MS = 10_000;
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

// Missing Chromium skips these tests on a workstation, with the reason, and fails them in CI.
const missing = existsSync(CHROMIUM) ? undefined : `${CHROMIUM} is missing (apt-get install chromium)`;

/** Every documented operation as `METHOD path`, with its operationId and summary, read from the spec file. */
function documentedOperations(): { key: string; operationId: string; summary: string }[] {
  const paths = loadSpec().paths as Record<string, Record<string, { operationId?: string; summary?: string }>>;
  return Object.entries(paths).flatMap(([path, item]) =>
    METHODS.filter((method) => item[method] !== undefined).map((method) => ({
      key: `${method.toUpperCase()} ${path}`,
      operationId: item[method]?.operationId ?? '',
      summary: item[method]?.summary ?? '',
    })),
  );
}

/** Whether a URL leaves this machine: anything but loopback, except URLs that are not fetched (data:, blob:, about:). */
function leavesMachine(url: string): boolean {
  const { protocol, hostname } = new URL(url);
  if (protocol === 'data:' || protocol === 'blob:' || protocol === 'about:') return false;
  return !['127.0.0.1', 'localhost', '[::1]'].includes(hostname);
}

/** Opens the reference page and waits (bounded) until Swagger UI has rendered the operations. */
async function openDocs(page: Page, url: string): Promise<void> {
  const response = await page.goto(url, { timeout: PAGE_MS, waitUntil: 'load' });
  assert.equal(response?.status(), 200, `GET ${url}`);
  await page.locator('.opblock').first().waitFor({ state: 'visible', timeout: PAGE_MS });
  // Swagger UI renders asynchronously after fetching /openapi.json; wait for the network to settle too.
  await page.waitForLoadState('networkidle', { timeout: PAGE_MS });
}

if (missing && process.env.CI) {
  describe('GET /docs in headless Chromium', () => {
    it('has a browser to run in', () => assert.fail(`${missing}: CI must install it (.ci/run does)`));
  });
}

describe('GET /docs in headless Chromium', { skip: missing ?? false }, () => {
  const server = useServer();
  let browser: Browser;
  let page: Page;
  // Every request the page made, to check that none leaves the machine.
  const requests: string[] = [];
  const failures: string[] = [];

  before(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      timeout: LAUNCH_MS,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
        `--host-resolver-rules=MAP ${PUBLIC_HOST} 127.0.0.1`,
      ],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(ACTION_MS);
    page.on('request', (request: Request) => requests.push(`${request.method()} ${request.url()}`));
    page.on('requestfailed', (request: Request) => failures.push(`${request.method()} ${request.url()}: ${request.failure()?.errorText}`));
    page.on('pageerror', (err: Error) => failures.push(`page error: ${err.message}`));
    await openDocs(page, `${server.url}/docs`);
  });
  after(() => browser?.close());

  it('lists every operation of the spec, with its method, path and summary', async () => {
    const shown = await page.locator('.opblock').evaluateAll((blocks) =>
      blocks.map((block) => ({
        id: block.id,
        method: block.querySelector('.opblock-summary-method')?.textContent?.trim() ?? '',
        path: block.querySelector('.opblock-summary-path')?.getAttribute('data-path') ?? '',
        summary: block.querySelector('.opblock-summary-description')?.textContent?.trim() ?? '',
      })),
    );
    const documented = documentedOperations();
    assert.ok(documented.length > 0, 'the spec documents operations');
    assert.deepEqual(shown.map((op) => `${op.method} ${op.path}`).sort(), documented.map((op) => op.key).sort());
    for (const op of documented) {
      const block = shown.find((s) => `${s.method} ${s.path}` === op.key);
      assert.equal(block?.summary, op.summary, `${op.key}: summary`);
      // With deepLinking, each block's id is operations-<tag>-<operationId>.
      assert.match(block?.id ?? '', new RegExp(`-${op.operationId}$`), `${op.key}: operationId`);
    }
  });

  it('renders the page (screenshot in test-artifacts/docs.png)', async () => {
    assert.equal(await page.title(), 'Cars API reference');
    await page.locator('.info .title').filter({ hasText: 'Cars API' }).waitFor({ state: 'visible' });
    mkdirSync(ARTIFACTS, { recursive: true });
    const file = `${ARTIFACTS}docs.png`;
    await page.screenshot({ path: file, fullPage: true, timeout: ACTION_MS });
    assert.ok(statSync(file).size > 10_000, 'the screenshot is not blank');
  });

  /** Opens POST /cars with "Try it out" on, fills the body and executes it; resolves the answer. */
  async function tryCreate(body: string) {
    const op = page.locator('#operations-cars-createCar');
    if (!(await op.locator('textarea.body-param__text').isVisible())) await op.locator('.opblock-summary').click();
    // The page turns "Try it out" on for every operation (tryItOutEnabled); click it only where it is still off.
    // (After a first execution, "Clear" shares the class.)
    const toggle = op.locator('.try-out__btn').filter({ hasText: /^\s*(Try it out|Cancel)\s*$/ });
    await toggle.waitFor({ state: 'visible' });
    if ((await toggle.textContent())?.trim() === 'Try it out') await toggle.click();
    assert.equal((await toggle.textContent())?.trim(), 'Cancel', 'Try it out is on');

    await op.locator('textarea.body-param__text').fill(body);
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/cars', { timeout: ACTION_MS }),
      op.locator('button.execute').click(),
    ]);
    return { op, response };
  }

  it('creates a car through "Try it out" on POST /cars, which the API then returns', async () => {
    const { op, response } = await tryCreate('{"id": 4242, "model": "Browser", "color": "Blue"}');
    assert.equal(response.status(), 201, await response.text());
    // And the UI shows it: the live response's status cell.
    const status = op.locator('.live-responses-table .response-col_status').filter({ hasText: '201' });
    await status.waitFor({ state: 'visible' });
    await status.scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${ARTIFACTS}docs-try-it-out.png`, timeout: ACTION_MS });

    const read = await fetch(`${server.url}/cars/4242`, { signal: AbortSignal.timeout(ACTION_MS) });
    assert.equal(read.status, 200);
    assert.deepEqual(await read.json(), { id: 4242, model: 'Browser', color: 'Blue' });
  });

  it('sends a fresh Idempotency-Key per "Try it out" POST in place of the pre-filled example, and a typed one as typed', async () => {
    const parameters = (loadSpec().components as { parameters: Record<string, { example?: string }> }).parameters;
    const example = parameters.IdempotencyKey?.example;
    assert.ok(example, 'the spec has an example Idempotency-Key');
    const keyInput = page.locator('#operations-cars-createCar tr[data-param-name="Idempotency-Key"] input');
    assert.equal(await keyInput.inputValue(), example, 'Swagger UI pre-fills the example key');

    const sent: string[] = [];
    for (const id of [4343, 4344]) {
      const { response } = await tryCreate(`{"id": ${id}, "model": "Browser", "color": "Green"}`);
      // With the example key sent as it is, the second body would get 422 (key reused).
      assert.equal(response.status(), 201, await response.text());
      assert.equal(response.headers()['idempotent-replayed'], undefined);
      sent.push((await response.request().allHeaders())['idempotency-key'] ?? '');
    }
    assert.match(sent[0] ?? '', /^[0-9a-f]{32}$/);
    assert.notEqual(sent[0], sent[1]);
    assert.ok(!sent.includes(example));

    // A key the user typed is theirs: sent as typed, so executing again replays.
    await keyInput.fill('typed-by-hand-1');
    const first = await tryCreate('{"id": 4345, "model": "Browser", "color": "Red"}');
    const again = await tryCreate('{"id": 4345, "model": "Browser", "color": "Red"}');
    assert.equal((await first.response.request().allHeaders())['idempotency-key'], 'typed-by-hand-1');
    assert.equal(first.response.status(), 201);
    assert.equal(again.response.status(), 201);
    assert.equal(again.response.headers()['idempotent-replayed'], 'true');
  });

  it('made no request to a host other than loopback, and none failed', () => {
    assert.ok(requests.length > 0, 'the page made requests');
    assert.deepEqual(requests.filter((r) => leavesMachine(r.slice(r.indexOf(' ') + 1))), []);
    assert.deepEqual(failures, []);
  });

  it('calls only its own origin when served under a public host name (no online validator badge)', async () => {
    const origin = `http://${PUBLIC_HOST}:${new URL(server.url).port}`;
    const elsewhere: string[] = [];
    const publicPage = await browser.newPage();
    try {
      publicPage.setDefaultTimeout(ACTION_MS);
      // Record and block anything else, so that the test itself never reaches the internet.
      await publicPage.route('**/*', (route) => {
        const url = route.request().url();
        if (new URL(url).origin === origin) return route.continue();
        elsewhere.push(url);
        return route.abort();
      });
      await openDocs(publicPage, `${origin}/docs`);
      assert.equal(await publicPage.locator('.opblock').count(), documentedOperations().length);
      assert.deepEqual(elsewhere, [], 'requests to other origins');
    } finally {
      await publicPage.close();
    }
  });
});
