/** Browser end-to-end tests: the built app, a real PostgreSQL database, Debian's Chromium. */
module.exports = {
  rootDir: 'e2e',
  testRegex: '\\.e2e-spec\\.ts$',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/../tsconfig.jest.json' }] },
  moduleNameMapper: { '^@branchmeet/shared$': '<rootDir>/../../shared/src/index.ts' },
  testEnvironment: 'node',
  testTimeout: 120000,
};
