import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, helpText, loadConfig, loadSettings, SETTINGS } from './config.js';

/** The config for these flags and variables; fails on --help. */
function config(argv: string[], env: Record<string, string> = {}) {
  const result = loadConfig(argv, env);
  assert.notEqual(result, 'help');
  return result as Exclude<typeof result, 'help'>;
}

describe('loadConfig', () => {
  it('gives the documented defaults, frozen', () => {
    const c = config([]);
    assert.equal(c.port, 8080);
    assert.equal(c.host, '127.0.0.1');
    assert.equal(c.databaseUrl, 'sqlite:data/cars.db');
    assert.equal(c.auth, 'auto');
    assert.equal(c.validateResponses, 'fail');
    assert.deepEqual(c.corsOrigins, []);
    assert.ok(Object.isFrozen(c));
  });

  it('takes a flag over a variable over the default', () => {
    assert.equal(config([], { PORT: '9000' }).port, 9000);
    assert.equal(config(['--port', '9001'], { PORT: '9000' }).port, 9001);
    assert.equal(config(['--require-if-match']).requireIfMatch, true);
    assert.equal(config([], { REQUIRE_IF_MATCH: 'yes' }).requireIfMatch, true);
  });

  it('names the setting and the value in a bad-value message', () => {
    const cases: [string[], Record<string, string>, RegExp][] = [
      [[], { PORT: '65536' }, /^PORT must be an integer from 0 to 65535, got "65536"$/],
      [['--port', '1.5'], {}, /^--port must be an integer/],
      [[], { LOG_LEVEL: 'loud' }, /^LOG_LEVEL must be one of fatal, error/],
      [[], { AUTH: 'maybe' }, /^AUTH must be required, off or auto, got "maybe"$/],
      [[], { DATABASE_URL: 'mysql://x' }, /^DATABASE_URL must be sqlite:<file>/],
      [[], { CORS_ORIGINS: 'https://a.example, nope' }, /got "nope"/],
      [[], { VALIDATE_RESPONSES: 'perhaps' }, /^VALIDATE_RESPONSES must be true or false/],
      [['--unknown'], {}, /Unknown option '--unknown'/],
    ];
    for (const [argv, env, message] of cases) assert.throws(() => loadConfig(argv, env), (err: unknown) => err instanceof ConfigError && message.test(err.message));
  });

  it('validates responses by default outside production, and only logs them in production', () => {
    assert.equal(config([], { NODE_ENV: 'production' }).validateResponses, 'off');
    assert.equal(config([], { NODE_ENV: 'production', VALIDATE_RESPONSES: 'true' }).validateResponses, 'log');
    assert.equal(config([], { VALIDATE_RESPONSES: 'false' }).validateResponses, 'off');
  });

  it('answers help, listing every setting', () => {
    assert.equal(loadConfig(['--help'], {}), 'help');
    for (const setting of Object.values(SETTINGS)) assert.match(helpText(), new RegExp(`--${setting.flag} +${setting.env} `));
  });
});

describe('loadSettings', () => {
  it('parses any table of rows, such as the mock reuses', () => {
    const table = { port: { ...SETTINGS.port, default: '4010' }, host: SETTINGS.host };
    assert.deepEqual(loadSettings(table, [], { HOST: '::1' }), { port: 4010, host: '::1' });
    assert.throws(() => loadSettings(table, [], { HOST: ' ' }), /HOST must not be empty/);
  });
});
