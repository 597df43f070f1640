import { resolve } from 'node:path'
import { defineConfig } from 'electron-vite'
import vue from '@vitejs/plugin-vue'
import { chmodSync, existsSync } from 'node:fs'

// One build for the three Electron parts. The main build also emits the plain-Node entry points
// (the `earthqube` CLI, the browser-mode server), which share the core but never import electron.
// Options go under `rolldownOptions` (Vite 8): electron-vite reads its format and input from there.
/** Marks the built CLI executable, so `npx earthqube` can run it as package.json's bin. */
const executableCli = {
  name: 'earthqube-executable-cli',
  writeBundle(options: { dir?: string }) {
    const cli = resolve(options.dir ?? 'out/main', 'cli.js')
    if (existsSync(cli)) chmodSync(cli, 0o755)
  },
}

export default defineConfig({
  main: {
    plugins: [executableCli],
    build: {
      outDir: 'out/main',
      rolldownOptions: {
        input: {
          index: resolve(__dirname, 'src-main/app/index.ts'),
          cli: resolve(__dirname, 'src-main/cli/earthqube.ts'),
          server: resolve(__dirname, 'src-main/server/index.ts'),
          // Worker entry points: started with new Worker(<out/main>/<name>.js).
          indexWorker: resolve(__dirname, 'src-main/inference/indexWorker.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      rolldownOptions: {
        input: { index: resolve(__dirname, 'src-preload/index.ts') },
        // Sandboxed preloads cannot be ES modules: emit CommonJS, named .cjs as package.json says "module".
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: 'src-renderer',
    build: {
      outDir: 'out/renderer',
      rolldownOptions: { input: { index: resolve(__dirname, 'src-renderer/index.html') } },
    },
    plugins: [vue()],
  },
})
