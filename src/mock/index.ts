export { createMockApp, type MockAppOptions } from './create-mock-app.js';
export { loadMockConfig, MockConfigError, MOCK_HELP, type MockConfig } from './mock-config.js';
