export { createMockApp, type MockAppOptions } from './create-mock-app.js';
export { loadMockConfig, MOCK_HELP, type MockConfig } from './mock-config.js';
