import type { BrowserWindowConstructorOptions, HandlerDetails, WebContents } from 'electron'
import { describe, expect, it, vi } from 'vitest'
import type { WindowDeps } from '../../../src-main/app/window'
import { createMainWindow, isAllowedExternalUrl } from '../../../src-main/app/window'

type Listener = (event: { preventDefault: () => void }, ...args: unknown[]) => void

/** Records what the factory does to a window and its web contents. */
function fakeElectron() {
  const listeners = new Map<string, Listener>()
  let openHandler: ((details: HandlerDetails) => unknown) | null = null
  let permissionRequest: ((wc: unknown, permission: string, callback: (granted: boolean) => void, details: unknown) => void) | null = null
  let permissionCheck: ((...args: unknown[]) => boolean) | null = null
  const loaded: string[] = []
  const created: BrowserWindowConstructorOptions[] = []
  const webContents = {
    on(event: string, listener: Listener) {
      listeners.set(event, listener)
      return this
    },
    setWindowOpenHandler(handler: (details: HandlerDetails) => unknown) {
      openHandler = handler
    },
    session: {
      setPermissionRequestHandler(h: typeof permissionRequest) {
        permissionRequest = h
      },
      setPermissionCheckHandler(h: typeof permissionCheck) {
        permissionCheck = h
      },
    },
  } as unknown as WebContents
  class FakeBrowserWindow {
    readonly webContents = webContents
    constructor(options: BrowserWindowConstructorOptions) {
      created.push(options)
    }
    once() {
      return this
    }
    loadFile(file: string) {
      loaded.push(`file:${file}`)
      return Promise.resolve()
    }
    loadURL(url: string) {
      loaded.push(`url:${url}`)
      return Promise.resolve()
    }
  }
  const shell = { openExternal: vi.fn(() => Promise.resolve()) }
  const deps = { BrowserWindow: FakeBrowserWindow, shell } as unknown as WindowDeps
  return {
    deps,
    shell,
    created,
    loaded,
    listeners,
    openWindow: (url: string) => openHandler!({ url, frameName: '', features: '', disposition: 'new-window', referrer: { url: '', policy: 'no-referrer' } }),
    requestPermission: (permission: string) => {
      let granted: boolean | null = null
      permissionRequest!(webContents, permission, (g) => (granted = g), {})
      return granted
    },
    checkPermission: (permission: string) => permissionCheck!(webContents, permission, 'file://', {}),
  }
}

const options = { preload: '/app/out/preload/index.cjs', renderer: { kind: 'file', file: '/app/out/renderer/index.html' } as const }

describe('createMainWindow', () => {
  it('turns on every isolation setting and loads the preload', () => {
    const e = fakeElectron()
    createMainWindow(e.deps, options)
    expect(e.created).toHaveLength(1)
    expect(e.created[0]!.webPreferences).toMatchObject({
      preload: '/app/out/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    })
  })

  it('loads the built renderer file, or the dev server URL', () => {
    const e = fakeElectron()
    createMainWindow(e.deps, options)
    createMainWindow(e.deps, { ...options, renderer: { kind: 'url', url: 'http://localhost:5173' } })
    expect(e.loaded).toEqual(['file:/app/out/renderer/index.html', 'url:http://localhost:5173'])
  })

  it('stops every navigation, redirect and <webview>', () => {
    const e = fakeElectron()
    createMainWindow(e.deps, options)
    for (const event of ['will-navigate', 'will-redirect', 'will-attach-webview']) {
      const preventDefault = vi.fn()
      e.listeners.get(event)!({ preventDefault }, 'https://evil.example/')
      expect(preventDefault, event).toHaveBeenCalled()
    }
  })

  it('opens no new window and no external link (the allowlist is empty)', () => {
    const e = fakeElectron()
    createMainWindow(e.deps, options)
    expect(e.openWindow('https://evil.example/')).toEqual({ action: 'deny' })
    expect(e.openWindow('https://bigearth.net/')).toEqual({ action: 'deny' })
    expect(e.shell.openExternal).not.toHaveBeenCalled()
  })

  it('denies every permission request and check', () => {
    const e = fakeElectron()
    createMainWindow(e.deps, options)
    expect(e.requestPermission('media')).toBe(false)
    expect(e.requestPermission('geolocation')).toBe(false)
    expect(e.checkPermission('notifications')).toBe(false)
  })
})

describe('isAllowedExternalUrl', () => {
  it('allows only https URLs of allowlisted origins', () => {
    const allow = ['https://bigearth.net']
    expect(isAllowedExternalUrl('https://bigearth.net/about', allow)).toBe(true)
    expect(isAllowedExternalUrl('http://bigearth.net/about', allow)).toBe(false)
    expect(isAllowedExternalUrl('https://bigearth.net.evil.example/', allow)).toBe(false)
    expect(isAllowedExternalUrl('file:///etc/passwd', allow)).toBe(false)
    expect(isAllowedExternalUrl('not a url', allow)).toBe(false)
    expect(isAllowedExternalUrl('https://bigearth.net/')).toBe(false)
  })
})
