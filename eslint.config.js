// One lint for both runtimes: TypeScript (strict, type-aware where cheap) and Vue SFCs.
import js from '@eslint/js';
import globals from 'globals';
import vue from 'eslint-plugin-vue';
import tseslint from 'typescript-eslint';
import { layersRule } from './eslint/layers.js';

export default tseslint.config(
  { ignores: ['out/**', 'node_modules/**', 'contracts/generated/**', 'test/bench/results/**', 'renderer/public/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...vue.configs['flat/essential'],
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.vue'], sourceType: 'module' } },
  },
  {
    languageOptions: {
      globals: { ...globals.node, ...globals.browser },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-control-regex': 'off',
      'no-restricted-imports': 'off',
      'vue/multi-word-component-names': 'off',
    },
  },
  {
    // Layering inside electron/: the table and its reasons are in eslint/layers.js.
    files: ['electron/**/*.ts'],
    plugins: { wardledger: { rules: { layers: layersRule } } },
    rules: { 'wardledger/layers': 'error' },
  },
  {
    files: ['renderer/**/*.{ts,vue}', 'electron/preload/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '/core/(?!model/|api/contract$)',
              message: 'The renderer and preload import only the model (core/model) and the API contract\'s types, never core code.',
            },
            {
              regex: '/core/api/contract$',
              message: 'The renderer and preload import the API contract\'s types only (import type), so the operations table never ships to them.',
              allowTypeImports: true,
            },
          ],
        },
      ],
    },
  },
);
