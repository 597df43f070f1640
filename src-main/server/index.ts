import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { homedir } from 'node:os'
import { defaultDataDir, modelFoldersOf } from '../service/appFolders'
import type { HostEnvironment } from '../service/appFolders'
import { resolveCatalogPath } from '../service/catalogPath'
import { AppService } from '../service/appService'
import { readContentSecurityPolicy } from './contentSecurityPolicy'
import { createBrowserModeServer } from './server'

// Browser mode's entry point (out/main/server.js): the app without Electron, for machines where its
// runtime is missing. Serves the built renderer and the IPC contract on 127.0.0.1.

const USAGE = `Usage: node out/main/server.js [--port <n>] [--db <catalog.db>]
  --port  port on 127.0.0.1 (default $PORT or 5178; 0 picks a free one)
  --db    catalog file (default $EARTHQUBE_DB or ~/.earthqube/catalog.db)`

const DEFAULT_PORT = 5178

function main(): void {
  let values: { port?: string; db?: string; help?: boolean }
  try {
    ;({ values } = parseArgs({
      options: { port: { type: 'string' }, db: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    }))
  } catch (e) {
    exit(`${(e as Error).message}\n${USAGE}`)
  }
  if (values.help) {
    console.log(USAGE)
    return
  }
  const portText = values.port ?? process.env['PORT'] ?? String(DEFAULT_PORT)
  const port = Number(portText)
  if (!/^\d+$/.test(portText) || port > 65_535) exit(`port ${JSON.stringify(portText)} is not a port number (0–65535)`)

  // Next to this bundle: out/main/server.js → out/renderer, and the package.json two levels up.
  const rendererDir = fileURLToPath(new URL('../renderer/', import.meta.url))
  const indexHtml = `${rendererDir}index.html`
  if (!existsSync(indexHtml)) exit(`${indexHtml} is missing: build the app first (npm run build)`)
  const contentSecurityPolicy = readContentSecurityPolicy(readFileSync(indexHtml, 'utf8'))
  const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }

  // This bundle is out/main/server.js: the app's resources are two levels up.
  const host: HostEnvironment = { env: process.env, home: homedir(), resourcesDir: fileURLToPath(new URL('../../resources/', import.meta.url)) }
  const catalogPath = resolveCatalogPath({ flag: values.db, env: host.env, defaultDir: defaultDataDir(host) })
  const service = new AppService({ catalogPath, mode: 'browser', version, models: modelFoldersOf(host) })
  const server = createBrowserModeServer({ service, rendererDir, contentSecurityPolicy })

  server.on('error', (e: NodeJS.ErrnoException) => {
    void service.close()
    exit(e.code === 'EADDRINUSE' ? `port ${port} is in use: pass --port <n> or set PORT` : `cannot serve: ${e.message}`)
  })
  // Loopback only: the API has no authentication beyond "this machine, this page".
  server.listen(port, '127.0.0.1', () => {
    const address = server.address()
    const actualPort = typeof address === 'object' && address ? address.port : port
    console.log(`EarthQube ${version} (browser mode) at http://127.0.0.1:${actualPort}/`)
    console.log(`catalog: ${catalogPath}${existsSync(catalogPath) ? '' : ' (not created yet)'}`)
  })

  const stop = (): void => {
    server.close()
    server.closeAllConnections()
    // Running jobs cancel (an import rolls back) before the catalog closes.
    service.close().finally(() => process.exit(0))
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}

function exit(message: string): never {
  console.error(`earthqube server: ${message}`)
  process.exit(2)
}

main()
