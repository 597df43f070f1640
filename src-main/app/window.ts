import type { BrowserWindow, Event, HandlerDetails, Shell, WebContents, WindowOpenHandlerResponse } from 'electron'
import type { RendererLocation } from './rendererLocation'

/**
 * External URLs the app may open in the user's browser (exact origins). None yet: every link that
 * would leave the app is dropped. Add an origin here only with a reason next to it.
 */
export const EXTERNAL_URL_ALLOWLIST: readonly string[] = []

/** True when a URL may be opened with shell.openExternal: https and an allowlisted origin. */
export function isAllowedExternalUrl(url: string, allowlist: readonly string[] = EXTERNAL_URL_ALLOWLIST): boolean {
  try {
    const u = new URL(url)
    return u.protocol === 'https:' && allowlist.includes(u.origin)
  } catch {
    return false
  }
}

/** What the window factory needs from Electron (passed in, so tests can fake it). */
export interface WindowDeps {
  BrowserWindow: new (options: ConstructorParameters<typeof BrowserWindow>[0]) => BrowserWindow
  shell: Pick<Shell, 'openExternal'>
}

/**
 * Locks down any web contents: no navigation away from the renderer, no new windows (allowlisted
 * https links go to the system browser instead), no <webview>, every permission request denied.
 * The window factory applies it to its window; the app applies it to every web contents created.
 */
export function hardenWebContents(contents: WebContents, shell: Pick<Shell, 'openExternal'>): void {
  // The renderer is a single page: any navigation is a link or an attack, never ours.
  contents.on('will-navigate', (event: Event) => event.preventDefault())
  contents.on('will-redirect', (event: Event) => event.preventDefault())
  contents.on('will-attach-webview', (event: Event) => event.preventDefault())
  contents.setWindowOpenHandler((details: HandlerDetails): WindowOpenHandlerResponse => {
    if (isAllowedExternalUrl(details.url)) {
      shell.openExternal(details.url).catch((e: unknown) => console.error(`cannot open ${details.url}: ${String(e)}`))
    }
    return { action: 'deny' }
  })
  // Camera, geolocation, notifications, …: the app needs none.
  contents.session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false))
  contents.session.setPermissionCheckHandler(() => false)
}

/**
 * THE window factory: every BrowserWindow of the app is made here, with every security setting in
 * one place. The renderer is untrusted; it reaches main only through the preload's contract functions.
 */
export function createMainWindow(deps: WindowDeps, options: { preload: string; renderer: RendererLocation }): BrowserWindow {
  const win = new deps.BrowserWindow({
    width: 1280,
    height: 800,
    minWidth: 800,
    minHeight: 600,
    show: false,
    title: 'EarthQube',
    autoHideMenuBar: true,
    webPreferences: {
      preload: options.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
    },
  })
  hardenWebContents(win.webContents, deps.shell)
  win.once('ready-to-show', () => win.show())
  const loading = options.renderer.kind === 'url' ? win.loadURL(options.renderer.url) : win.loadFile(options.renderer.file)
  loading.catch((e: unknown) => console.error(`cannot load the renderer: ${String(e)}`))
  return win
}
