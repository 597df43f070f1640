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
  // Which folder may import what is checked by dependency-cruiser (.dependency-cruiser.cjs, `npm run check:deps`).
)
