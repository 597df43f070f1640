/**
 * The part of Electron's API this app uses, with Electron 41's signatures.
 *
 * Why this file exists: `electron` is an optional dependency whose binary download can fail (it does in
 * our offline build environment), and npm then drops the package and the typings it carries. These
 * declarations keep `npm run typecheck` working either way; where the real package is installed its
 * declarations merge with these (skipLibCheck keeps the overlap quiet). Delete this file once electron
 * installs everywhere the project is built. Only src-main/app/ and src-preload/ may rely on it.
 */
declare module 'electron' {
  interface Event {
    preventDefault(): void
    readonly defaultPrevented: boolean
  }

  /** A frame of a page; IPC messages name the frame that sent them. */
  interface WebFrameMain {
    readonly url: string
    readonly origin: string
    readonly parent: WebFrameMain | null
  }

  interface IpcMainInvokeEvent extends Event {
    /** Null when the frame navigated away or was destroyed before the message was handled. */
    readonly senderFrame: WebFrameMain | null
    readonly processId: number
    readonly frameId: number
  }

  interface IpcMain {
    handle(channel: string, listener: (event: IpcMainInvokeEvent, ...args: unknown[]) => Promise<unknown> | unknown): void
    removeHandler(channel: string): void
  }

  interface HandlerDetails {
    url: string
    frameName: string
    features: string
    disposition: 'default' | 'foreground-tab' | 'background-tab' | 'new-window' | 'other'
  }

  type WindowOpenHandlerResponse =
    | { action: 'deny' }
    | { action: 'allow'; overrideBrowserWindowOptions?: BrowserWindowConstructorOptions }

  interface PermissionRequestHandlerHandlerDetails {
    requestingUrl: string
    isMainFrame: boolean
  }

  interface Session {
    setPermissionRequestHandler(
      handler:
        | ((
            webContents: WebContents,
            permission: string,
            callback: (permissionGranted: boolean) => void,
            details: PermissionRequestHandlerHandlerDetails,
          ) => void)
        | null,
    ): void
    setPermissionCheckHandler(
      handler: ((webContents: WebContents | null, permission: string, requestingOrigin: string, details: unknown) => boolean) | null,
    ): void
  }

  interface WebContents {
    readonly session: Session
    on(event: 'will-navigate', listener: (event: Event, url: string) => void): this
    on(event: 'will-redirect', listener: (event: Event, url: string) => void): this
    on(event: 'will-attach-webview', listener: (event: Event, webPreferences: WebPreferences, params: Record<string, string>) => void): this
    setWindowOpenHandler(handler: (details: HandlerDetails) => WindowOpenHandlerResponse): void
  }

  interface WebPreferences {
    preload?: string
    contextIsolation?: boolean
    sandbox?: boolean
    nodeIntegration?: boolean
    nodeIntegrationInWorker?: boolean
    nodeIntegrationInSubFrames?: boolean
    webSecurity?: boolean
    allowRunningInsecureContent?: boolean
    webviewTag?: boolean
    navigateOnDragDrop?: boolean
    spellcheck?: boolean
  }

  interface BrowserWindowConstructorOptions {
    width?: number
    height?: number
    minWidth?: number
    minHeight?: number
    show?: boolean
    title?: string
    backgroundColor?: string
    autoHideMenuBar?: boolean
    webPreferences?: WebPreferences
  }

  class BrowserWindow {
    constructor(options?: BrowserWindowConstructorOptions)
    static getAllWindows(): BrowserWindow[]
    readonly webContents: WebContents
    loadFile(filePath: string): Promise<void>
    loadURL(url: string): Promise<void>
    once(event: 'ready-to-show', listener: () => void): this
    show(): void
    focus(): void
    restore(): void
    isMinimized(): boolean
  }

  interface Shell {
    openExternal(url: string): Promise<void>
  }

  interface App {
    readonly isPackaged: boolean
    whenReady(): Promise<void>
    quit(): void
    enableSandbox(): void
    requestSingleInstanceLock(): boolean
    getVersion(): string
    getPath(name: 'userData' | 'home' | 'temp' | 'logs'): string
    on(event: 'window-all-closed' | 'activate' | 'second-instance' | 'will-quit', listener: () => void): this
    on(event: 'web-contents-created', listener: (event: Event, webContents: WebContents) => void): this
  }

  interface ContextBridge {
    exposeInMainWorld(apiKey: string, api: unknown): void
  }

  interface IpcRenderer {
    invoke(channel: string, ...args: unknown[]): Promise<unknown>
  }

  const app: App
  const ipcMain: IpcMain
  const shell: Shell
  const contextBridge: ContextBridge
  const ipcRenderer: IpcRenderer
}
