import tseslint from 'typescript-eslint'
import pluginVue from 'eslint-plugin-vue'
import vueParser from 'vue-eslint-parser'

export default tseslint.config(
  // AssemblyScript sources are not TypeScript; generated modules are build output.
  { ignores: ['out/**', 'dist/**', 'node_modules/**', '**/*.as.ts', '**/*.generated.ts'] },
  ...tseslint.configs.recommended,
  ...pluginVue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    languageOptions: { parser: vueParser, parserOptions: { parser: tseslint.parser, sourceType: 'module' } },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'vue/multi-word-component-names': 'off',
    },
  },
  {
    // The core runs without Electron: only the app adapter (src-main/app) may import it.
    files: ['src-main/**/*.ts'],
    ignores: ['src-main/app/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'electron', message: 'Only src-main/app/ may import electron; the core stays plain Node.' }] }],
    },
  },
  {
    // The renderer is untrusted web code: no Node built-ins, no main-process modules except the contract.
    files: ['src-renderer/**/*.{ts,vue}'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['node:*', 'electron', '**/src-main/!(contract)/**'], message: 'The renderer reaches main only through the IPC contract.' }] }],
    },
  },
)
