/** Integration tests: `*.int-spec.ts`, each file against its own fresh database on DATABASE_URL's server. */
module.exports = {
  rootDir: 'src',
  testRegex: '\\.int-spec\\.ts$',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/../tsconfig.jest.json' }] },
  moduleNameMapper: { '^@branchmeet/shared$': '<rootDir>/../../shared/src/index.ts' },
  testEnvironment: 'node',
  testTimeout: 60000,
  // Names anything a test file left open (the run uses --forceExit: a leak must not keep CI waiting).
  globalTeardown: '<rootDir>/test-support/report-open-handles.ts',
};
