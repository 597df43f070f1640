#!/usr/bin/env node
// `npm start` after `electron-vite build`: the desktop app when Electron's runtime is installed,
// else browser mode (out/main/server.js, the same renderer and contract over HTTP on 127.0.0.1).
// Arguments are passed on to either, e.g. `npm start -- --db ./catalog.db` (browser mode also takes
// --port). Exits with the child's exit code.
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const require = createRequire(import.meta.url)
const args = process.argv.slice(2)

/** The Electron binary, or null when the optional dependency (or its download) is missing. */
function electronBinary() {
  try {
    // The electron package exports the path of its binary; it throws when the download failed.
    const path = require('electron')
    return typeof path === 'string' && existsSync(path) ? path : null
  } catch {
    return null
  }
}

/** Runs a command in the project root and exits as it exits. */
function run(command, commandArgs) {
  const child = spawn(command, commandArgs, { cwd: root, stdio: 'inherit' })
  const forward = (signal) => child.kill(signal)
  process.on('SIGINT', forward)
  process.on('SIGTERM', forward)
  child.on('error', (e) => {
    console.error(`start: cannot run ${command}: ${e.message}`)
    process.exit(1)
  })
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))
}

const server = fileURLToPath(new URL('../out/main/server.js', import.meta.url))

if (electronBinary()) {
  const electronVite = require.resolve('electron-vite/bin/electron-vite.js')
  run(process.execPath, [electronVite, 'preview', '--skipBuild', ...(args.length > 0 ? ['--', ...args] : [])])
} else if (!existsSync(server)) {
  console.error(`start: ${server} is missing: build first (npm run build)`)
  process.exit(1)
} else {
  console.log('Electron is not installed, so EarthQube runs in browser mode: open the URL below in a browser.')
  run(process.execPath, [server, ...args])
}
