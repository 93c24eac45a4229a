// Tests are written in TypeScript under test/ and run from their tsc output in dist/test,
// so what is tested is exactly what `npm start` runs (no second transpiler).
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/dist/test'],
  testMatch: ['**/*.test.js'],
  globalSetup: '<rootDir>/dist/test/global-setup.js',
  globalTeardown: '<rootDir>/dist/test/global-teardown.js',
  testTimeout: 120000,
  // A suite that leaves a socket or timer open must not keep the run from ending (CI would hang);
  // globalTeardown still stops the services first.
  forceExit: true,
  reporters: ['default', '<rootDir>/dist/test/support/summary-reporter.js'],
  transform: {},
};
