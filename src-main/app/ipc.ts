import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron'
import type { AppEvent, IpcResult } from '../contract/ipc'
import { EVENT_CHANNEL, IPC_CALL_NAMES, fail } from '../contract/ipc'
import type { RendererLocation } from './rendererLocation'
import { isRendererUrl } from './rendererLocation'
import type { AppService } from '../service/appService'

/** The part of a sending frame the adapter reads: where it is and whether it is the top frame. */
export interface SenderFrame {
  readonly url: string
  readonly origin: string
  readonly parent: SenderFrame | null
}

/** The part of an invoke event the adapter reads; Electron's IpcMainInvokeEvent fits it. */
export interface InvokeEvent {
  readonly senderFrame: SenderFrame | null
}

// Compile-time: Electron's own event still fits what the adapter reads.
const electronEventFits: (e: IpcMainInvokeEvent) => InvokeEvent = (e) => e
void electronEventFits
/** The part of ipcMain the adapter uses; Electron's ipcMain fits it and tests pass a fake. */
export interface IpcMainRegistry {
  handle(channel: string, listener: (event: InvokeEvent, ...args: unknown[]) => Promise<unknown>): void
  removeHandler: IpcMain['removeHandler']
}

/**
 * Registers one ipcMain handler per contract call. Each checks that the message comes from our
 * renderer's top frame (never an iframe, a navigated-away page or another origin) before handing the
 * single payload argument to the service. Returns a function removing the handlers.
 */
export function registerIpcHandlers(
  ipcMain: IpcMainRegistry,
  service: Pick<AppService, 'handle'>,
  renderer: RendererLocation,
  warn: (message: string) => void = console.warn,
): () => void {
  for (const name of IPC_CALL_NAMES) {
    ipcMain.handle(name, (event: InvokeEvent, ...args: unknown[]): Promise<IpcResult<unknown>> => {
      const frame = event.senderFrame
      if (!frame || frame.parent !== null || !isRendererUrl(frame.url, renderer)) {
        const from = frame ? `${frame.parent ? 'a subframe at ' : ''}${frame.url}` : 'a destroyed frame'
        warn(`refused IPC call ${name} from ${from}`)
        return Promise.resolve(fail(`${name} refused: the call did not come from the EarthQube window`))
      }
      if (args.length > 1) return Promise.resolve(fail(`${name} takes at most one argument, got ${args.length}`))
      return service.handle(name, args[0])
    })
  }
  return () => {
    for (const name of IPC_CALL_NAMES) ipcMain.removeHandler(name)
  }
}

/** The part of a window's webContents that events go to; Electron's fits it and tests pass a fake. */
export type EventTarget = Pick<WebContents, 'send' | 'isDestroyed'>

/**
 * Forwards every event of the service to the app's windows, on the one event channel the preload
 * listens to. Returns the function that stops forwarding.
 */
export function forwardEvents(service: Pick<AppService, 'onEvent'>, targets: () => EventTarget[]): () => void {
  return service.onEvent((event: AppEvent) => {
    for (const contents of targets()) if (!contents.isDestroyed()) contents.send(EVENT_CHANNEL, event)
  })
}
