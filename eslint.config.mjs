// @ts-check
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// ── Server boundaries ─────────────────────────────────────────────────────────────────────────────────────────
// A feature (a folder of server/src) reads another feature's data through that feature's service or directory
// (MeetingDirectory, OrgDirectory, UserDirectory, ...), never through its entities: another feature's `*.entity`
// may not be imported (type imports included). Its own entities (`./x.entity`), database/, seed/ and test-support/
// (the migrations, the demo data and the test harness span every table) and the tests are free.
const foreignEntity = {
  group: ['../*/*.entity', '../../*/*.entity'],
  message:
    "Another feature's entity: read its data through that feature's service or directory (e.g. MeetingDirectory).",
};
const serverFeatureSources = ['server/src/*/*.ts'];
const serverFree = [
  'server/src/database/**',
  'server/src/seed/**',
  'server/src/test-support/**',
  'server/src/**/*.spec.ts',
  'server/src/**/*.int-spec.ts',
  'server/src/**/*-bench.child.ts',
];
/**
 * Files that still import another feature's entity, each with its reason. Shrink this list; never grow it
 * without one.
 */
const entityExceptions = [
  // The audit log is read across every feature by design; its listing names each actor in the same keyset-paged
  // query (a join on the people table).
  'server/src/audit/audit.repository.ts',
  // The roster creates and edits people's accounts (app_user) in the same transaction as their memberships.
  'server/src/orgs/orgs.service.ts',
  'server/src/orgs/roster.service.ts',
];
const mediaBoundary = {
  paths: [
    {
      name: 'socket.io',
      message: 'media/ knows nothing of signalling: the gateway (rtc/) talks to sockets.',
    },
    { name: '@nestjs/websockets', message: 'media/ knows nothing of signalling.' },
    { name: '@nestjs/platform-socket.io', message: 'media/ knows nothing of signalling.' },
    { name: 'typeorm', message: 'media/ knows nothing of the database: features store what it reports.' },
    { name: '@nestjs/typeorm', message: 'media/ knows nothing of the database.' },
  ],
  patterns: [
    { group: ['socket.io/*', 'typeorm/*'], message: 'media/ knows nothing of signalling or the database.' },
    foreignEntity,
  ],
};

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/dist-bench/**',
      'client/dist-e2e/**',
      '.data/**',
      '**/.data/**',
      'test/e2e/artifacts/**',
      'coverage/**',
      '**/*.js',
      '**/*.cjs',
      '**/*.mjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'off',
      'no-console': 'off',
    },
  },
  {
    files: ['client/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: { ...reactHooks.configs.recommended.rules },
  },
  {
    files: serverFeatureSources,
    ignores: [...serverFree, ...entityExceptions],
    rules: { 'no-restricted-imports': ['error', { patterns: [foreignEntity] }] },
  },
  {
    // After the rule above (flat config: the later block wins for media/): no socket.io, no typeorm, in tests too.
    files: ['server/src/media/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', mediaBoundary] },
  },
);
