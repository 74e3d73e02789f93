import nextVitals from 'eslint-config-next/core-web-vitals';
import nextTs from 'eslint-config-next/typescript';

/**
 * lib/'s folders in layers, lowest first: a folder imports only from layers
 * below it (and itself), so no two folders depend on each other. The sync
 * engine is the clerk-mongo-sync package; `lib/clerk-sync.ts` configures it
 * for the app (see its zone below).
 */
const LIB_LAYERS = [['security'], ['env'], ['db'], ['assessments'], ['presence', 'teams'], ['admin']];

function libLayerZones() {
  return LIB_LAYERS.flatMap((layer, index) =>
    layer.map((folder) => ({
      target: `./lib/${folder}`,
      from: [...LIB_LAYERS.slice(index + 1).flat(), ...layer.filter((other) => other !== folder)].map((other) => `./lib/${other}`),
      message: `lib/${folder} imports only from the folders below it in lib's layers (eslint.config.mjs): move the shared piece down instead.`,
    })),
  );
}

const config = [
  ...nextVitals,
  ...nextTs,
  {
    ignores: [
      '.next/**',
      '.next-*/**',
      'node_modules/**',
      '.tools/**',
      '.data/**',
      'next-env.d.ts',
      'test-results/**',
      'playwright-report/**',
      'tests/.artifacts/**',
      'packages/*/dist/**',
    ],
  },
  // Imports flow one way: tools → lib, tests → tools and lib; the product never reaches into tools or tests.
  {
    files: ['app/**', 'lib/**', 'components/**', 'middleware.ts'],
    // The benchmark-only routes exist only in the benchmark's build (tools/bench/routes.ts).
    ignores: ['**/*.bench.ts'],
    rules: {
      'import/no-restricted-paths': [
        'error',
        {
          zones: [
            {
              target: './',
              from: ['./tools', './tests'],
              message: 'app/, lib/ and components/ are the product: they never import tools/ or tests/.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['tools/**'],
    rules: {
      'import/no-restricted-paths': ['error', { zones: [{ target: './tools', from: './tests', message: 'tools/ never imports tests/.' }] }],
    },
  },
  {
    files: ['lib/**'],
    rules: {
      'import/no-restricted-paths': [
        'error',
        {
          zones: [
            {
              target: './lib',
              from: ['./app', './components', './tools', './tests'],
              message: 'lib/ is what the deployed app runs: it imports nothing from app/, components/, tools/ or tests/.',
            },
            ...libLayerZones(),
            {
              // The engine's configuration stands between the assessments' records (its deletion hook) and
              // every flow that reads a user through it (the assessments' pages, presence, teams, admin).
              target: './lib/clerk-sync.ts',
              from: ['./lib/presence', './lib/teams', './lib/admin', './lib/assessments/submit.ts', './lib/assessments/views.ts'],
              message:
                'lib/clerk-sync.ts configures the engine from the records and settings below it; flows that use the engine import it, not the reverse.',
            },
          ],
        },
      ],
    },
  },
  // The engine package stands alone: an adopter gets only its own files, so its source imports nothing of this
  // repository's, and the app uses it through its published entry points, never its internals.
  {
    files: ['packages/clerk-mongo-sync/src/**'],
    rules: {
      'import/no-restricted-paths': [
        'error',
        {
          zones: [
            {
              target: './packages/clerk-mongo-sync/src',
              from: ['./app', './lib', './components', './tools', './tests', './middleware.ts', './packages/clerk-mongo-sync/test'],
              message: 'the package imports nothing outside its own src/: it is published on its own.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['app/**', 'lib/**', 'components/**', 'middleware.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/packages/clerk-mongo-sync/**'],
              message: 'the app uses the engine as an adopter does: import from clerk-mongo-sync.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.ts', '**/*.tsx', '**/*.mts'],
    rules: { 'import/no-cycle': 'error' },
  },
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
];

export default config;
