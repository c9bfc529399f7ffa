// ESLint flat config: typescript-eslint's recommended rules (syntax-only, fast) for every TS/JS file we own.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'public/', 'test-results/', 'bench-results/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node, ...globals.worker } },
    rules: {
      // `_`-prefixed names are deliberately unused (positional parameters, destructuring).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      // Errors must be named: throw one of src/core/errors.ts's classes, not a string.
      'no-throw-literal': 'error',
      eqeqeq: ['error', 'always', { null: 'ignore' }],
    },
  },
);
