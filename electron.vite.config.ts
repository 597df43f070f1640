import { resolve } from 'node:path'
import { defineConfig } from 'electron-vite'
import vue from '@vitejs/plugin-vue'
import { createRequire } from 'node:module'
import { readFileSync } from 'node:fs'

// Electron is an optional dependency: where its runtime could not be installed (no download allowed),
// electron-vite still needs its major version to pick build targets; take it from package.json.
if (!process.env.ELECTRON_MAJOR_VER) {
  try {
    createRequire(import.meta.url).resolve('electron/package.json')
  } catch {
    const pkg = JSON.parse(readFileSync(resolve(__dirname, 'package.json'), 'utf8')) as {
      optionalDependencies?: Record<string, string>
    }
    const range = pkg.optionalDependencies?.electron ?? ''
    process.env.ELECTRON_MAJOR_VER = /\d+/.exec(range)?.[0] ?? '41'
  }
}

// One build for the three Electron parts. The main build also emits the plain-Node entry points
// (the `earthqube` CLI), which share the core but never import electron.
export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'src-main/app/index.ts'),
          cli: resolve(__dirname, 'src-main/cli/earthqube.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      rollupOptions: { input: { index: resolve(__dirname, 'src-preload/index.ts') } },
    },
  },
  renderer: {
    root: 'src-renderer',
    build: {
      outDir: 'out/renderer',
      rollupOptions: { input: { index: resolve(__dirname, 'src-renderer/index.html') } },
    },
    plugins: [vue()],
  },
})
