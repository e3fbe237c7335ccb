/** The mock's settings: rows of the server's own settings table, with the mock's port. */
import { helpText, loadSettings, SETTINGS, type SettingsOf } from '../config.js';

/** The mock's rows: where it listens (port 4010 by default), and how much it logs. */
const MOCK_SETTINGS = {
  port: { ...SETTINGS.port, default: '4010' },
  host: SETTINGS.host,
  logLevel: SETTINGS.logLevel,
};

/** Where the mock listens, and its log level. */
export type MockConfig = SettingsOf<typeof MOCK_SETTINGS>;

/** The `--help` text. */
export const MOCK_HELP = helpText(
  MOCK_SETTINGS,
  'Usage: npm run mock -- [options]\n\nServes every operation of spec/cars.openapi.yaml from its examples, validating requests as the real server does.',
);

/** Parses flags over environment variables over defaults; throws ConfigError on a bad value. */
export function loadMockConfig(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): MockConfig | 'help' {
  return loadSettings(MOCK_SETTINGS, argv, env);
}
