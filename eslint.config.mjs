// One lint setup for the whole repository (flat config, typescript-eslint).
import js from '@eslint/js';
import nextPlugin from '@next/eslint-plugin-next';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/.next/**',
      '**/.turbo/**',
      '**/dist/**',
      '**/test-results/**',
      '**/playwright-report/**',
      'bench/results/**',
      '.data/**',
      '**/next-env.d.ts',
      'bench/.web/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'error',
      // One import style that tsx, vitest, tsc and Turbopack all resolve: a file's own imports carry no extension.
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: '^\\.{1,2}/.*\\.js$', message: "Import './x', not './x.js': Turbopack does not map .js to .ts." }] },
      ],
    },
  },
  {
    // The rules of hooks and Next's own rules (links, images, scripts, fonts) for the apps and the React code they share.
    files: ['apps/*/src/**/*.{ts,tsx}', 'packages/ui/src/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks, '@next/next': nextPlugin },
    settings: { next: { rootDir: ['apps/web/', 'apps/admin/'] } },
    rules: { ...reactHooks.configs.recommended.rules, ...nextPlugin.configs.recommended.rules, ...nextPlugin.configs['core-web-vitals'].rules },
  },
  {
    // Apps read configuration only through src/env.ts, validated at start-up (create-t3-turbo's rule).
    files: ['apps/*/src/**/*.{ts,tsx}'],
    ignores: ['apps/*/src/env.ts', 'apps/*/src/instrumentation.ts', 'apps/*/src/instrumentation-node.ts'],
    rules: {
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Read configuration from src/env.ts, which validates it.' }],
    },
  },
);
