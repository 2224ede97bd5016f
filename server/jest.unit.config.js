/** Unit tests: `*.spec.ts` beside the code; no database. */
module.exports = {
  rootDir: 'src',
  testRegex: '\\.spec\\.ts$',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/../tsconfig.jest.json' }] },
  moduleNameMapper: { '^@branchmeet/shared$': '<rootDir>/../../shared/src/index.ts' },
  testEnvironment: 'node',
};
