// ESLint (flat config) with typescript-eslint; formatting is Prettier's (`npm run lint` runs both).
import js from '@eslint/js';
import globals from 'globals';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      '**/generated/**',
      // Ajv standalone code, generated at build by scripts/gen-validators.mjs.
      '**/*.validate.cjs',
      // Dependencies bundled at build by scripts/bundle-dependencies.mjs.
      'core/vendor/**',
      'plugins/*/vendor/**',
      'create-plugin/template/**',
      'test/fixtures/**',
      'core/fixtures/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: globals.node },
    rules: {
      // IRC, SMTP and MIME code matches control characters on purpose.
      'no-control-regex': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-restricted-syntax': [
        'error',
        {
          selector: 'TSAsExpression > TSNeverKeyword',
          message: 'No `as never`: type the value (see dispatch/hooks.ts for typed hook calls).',
        },
      ],
    },
  },
  {
    files: ['**/*.test.ts', 'test/**', 'bench/**'],
    rules: { 'no-restricted-syntax': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  {
    // Examples show a hook's whole signature, used or not.
    files: ['docs/examples/**'],
    rules: { '@typescript-eslint/no-unused-vars': ['error', { args: 'none' }] },
  },
  prettier,
);
