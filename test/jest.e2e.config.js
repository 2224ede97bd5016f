/** Browser end-to-end tests: the built app, a real PostgreSQL database, Debian's Chromium. */
module.exports = {
  rootDir: 'e2e',
  testRegex: '\\.e2e-spec\\.ts$',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/../tsconfig.jest.json' }] },
  moduleNameMapper: { '^@branchmeet/shared$': '<rootDir>/../../shared/src/index.ts' },
  testEnvironment: 'node',
  // The client build with test hooks (client/dist-e2e), made before the first test file's timeouts run.
  globalSetup: '<rootDir>/support/global-setup.ts',
  testTimeout: 120000,
  // Names anything a test file left open (the run uses --forceExit: a leak must not keep CI waiting).
  globalTeardown: '<rootDir>/../../server/src/test-support/report-open-handles.ts',
};
