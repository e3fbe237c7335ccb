export { createMockApp, type MockApp, type MockAppOptions } from './create-mock-app.js';
export { mockAnswerFor, type MockAnswer } from './mock-answers.js';
export { loadMockConfig, MockConfigError, MOCK_HELP, type MockConfig } from './mock-config.js';
