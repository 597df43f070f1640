#!/usr/bin/env node
// `npm start` after `electron-vite build`: the desktop app when Electron's runtime is there, else
// browser mode (out/main/server.js, the same renderer and contract over HTTP on 127.0.0.1).
// npm installs the `electron` package (for its types) without its install script, which downloads the
// runtime from GitHub; the first start fetches it instead, and where that is not possible (no network)
// browser mode starts and says why in one line. EARTHQUBE_BROWSER_MODE=1 skips the attempt.
// Arguments are passed on to either, e.g. `npm start -- --db ./catalog.db` (browser mode also takes
// --port). Exits with the child's exit code.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const require = createRequire(import.meta.url)
const args = process.argv.slice(2)

/** The Electron binary, or null when its runtime has not been downloaded. */
function electronBinary() {
  try {
    // The electron package exports the path of its binary; it throws when the runtime is missing.
    const path = require('electron')
    return typeof path === 'string' && existsSync(path) ? path : null
  } catch {
    return null
  }
}

/** Downloads Electron's runtime with the package's own installer; returns why it failed, or null. */
function fetchElectronRuntime() {
  let installer
  try {
    installer = require.resolve('electron/install.js')
  } catch {
    return 'the electron package is not installed'
  }
  console.log("start: Electron's runtime is missing; fetching it…")
  const r = spawnSync(process.execPath, [installer], { cwd: root, encoding: 'utf8', timeout: 120_000 })
  if (r.status === 0 && electronBinary()) return null
  const lines = `${r.stderr ?? ''}${r.error ? r.error.message : ''}`.split('\n').map((l) => l.trim()).filter(Boolean)
  const cause = lines.find((l) => /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|getaddrinfo|HTTPError|Error:/.test(l)) ?? lines[0]
  return cause ? `its download failed: ${cause.slice(0, 160)}` : 'its download failed'
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

let whyNot = null
if (process.env.EARTHQUBE_BROWSER_MODE === '1') whyNot = 'EARTHQUBE_BROWSER_MODE=1'
else if (!electronBinary()) whyNot = fetchElectronRuntime()

if (whyNot === null) {
  const electronVite = require.resolve('electron-vite/bin/electron-vite.js')
  run(process.execPath, [electronVite, 'preview', '--skipBuild', ...(args.length > 0 ? ['--', ...args] : [])])
} else if (!existsSync(server)) {
  console.error(`start: ${server} is missing: build first (npm run build)`)
  process.exit(1)
} else {
  console.log(`Electron's runtime is not available (${whyNot}), so EarthQube runs in browser mode: open the URL below in a browser.`)
  run(process.execPath, [server, ...args])
}
