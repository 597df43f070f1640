import { app, BrowserWindow, ipcMain, shell } from 'electron'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { modelFoldersOf } from '../service/appFolders'
import type { HostEnvironment } from '../service/appFolders'
import { resolveCatalogPath } from '../service/catalogPath'
import { forwardEvents, registerIpcHandlers } from './ipc'
import { rendererLocationFor } from './rendererLocation'
import { AppService } from '../service/appService'
import { createMainWindow, hardenWebContents } from './window'

// The Electron entry point: the only module that imports electron's values. It wires Electron's
// objects into the plain-Node service, the IPC adapter and the window factory.

/** Built files, next to this bundle (out/main/index.js). */
const preload = fileURLToPath(new URL('../preload/index.cjs', import.meta.url))
const builtIndexHtml = fileURLToPath(new URL('../renderer/index.html', import.meta.url))
/** The app's resources: beside the package when packaged (electron-builder's extraResources), else in the checkout. */
const resourcesDir = (packaged: boolean): string =>
  packaged ? join(process.resourcesPath, 'resources') : fileURLToPath(new URL('../../resources/', import.meta.url))

// Every renderer runs sandboxed, whatever a window's options say.
app.enableSandbox()

if (!app.requestSingleInstanceLock()) {
  app.quit()
} else {
  // Electron and Chromium add their own switches: read only --db, ignore the rest.
  const { values } = parseArgs({ args: process.argv.slice(1), options: { db: { type: 'string' } }, strict: false, allowPositionals: true })
  const flag = typeof values.db === 'string' ? values.db : undefined
  const renderer = rendererLocationFor({
    isPackaged: app.isPackaged,
    devServerUrl: process.env['ELECTRON_RENDERER_URL'],
    builtIndexHtml,
  })
  const openWindow = (): BrowserWindow => createMainWindow({ BrowserWindow, shell }, { preload, renderer })

  // Defence in depth: contents created outside the factory (devtools, popups) get the same locks.
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, shell))

  app.on('second-instance', () => {
    const [win] = BrowserWindow.getAllWindows()
    if (!win) return
    if (win.isMinimized()) win.restore()
    win.focus()
  })

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit()
  })

  app
    .whenReady()
    .then(() => {
      const host: HostEnvironment = { env: process.env, home: homedir(), resourcesDir: resourcesDir(app.isPackaged) }
      const service = new AppService({
        catalogPath: resolveCatalogPath({ flag, env: host.env, defaultDir: app.getPath('userData') }),
        mode: 'electron',
        version: app.getVersion(),
        models: modelFoldersOf(host),
      })
      registerIpcHandlers(ipcMain, service, renderer)
      forwardEvents(service, () => BrowserWindow.getAllWindows().map((w) => w.webContents))
      // Quit waits for running jobs to cancel (an import rolls back) and the catalog to close.
      let closed = false
      app.on('will-quit', (event) => {
        if (closed) return
        event.preventDefault()
        service.close().finally(() => {
          closed = true
          app.quit()
        })
      })
      openWindow()
      app.on('activate', () => {
        if (BrowserWindow.getAllWindows().length === 0) openWindow()
      })
    })
    .catch((e: unknown) => {
      console.error(`EarthQube could not start: ${e instanceof Error ? e.message : String(e)}`)
      app.quit()
    })
}
